// Part of the public API of nanoFramework.System.Net (signatures of 1.11.54 from ../nano-packages-api.txt); no implementation.
using System;

namespace System.Security.Cryptography.X509Certificates
{
    public class X509Certificate
    {
        protected string _issuer;
        protected string _subject;
        protected DateTime _effectiveDate;
        protected DateTime _expirationDate;
        protected byte[] _handle;
        protected byte[] _sessionHandle;
        public X509Certificate() { throw null; }
        public X509Certificate(byte[] certificate) { throw null; }
        public X509Certificate(string certificate) { throw null; }
        public virtual string Issuer { get { throw null; } }
        public virtual string Subject { get { throw null; } }
        public virtual DateTime GetEffectiveDate() { throw null; }
        public virtual DateTime GetExpirationDate() { throw null; }
        public virtual byte[] GetRawCertData() { throw null; }
    }
}

namespace nanoFramework.Networking
{
    public class IPConfiguration
    {
        public IPConfiguration(string ipv4Address, string ipv4SubnetMask, string ipv4GatewayAddress, string[] ipv4DnsAddresses = null) { throw null; }
        public string IPAddress { get { throw null; } set { throw null; } }
        public string IPSubnetMask { get { throw null; } set { throw null; } }
        public string IPGatewayAddress { get { throw null; } set { throw null; } }
        public string[] IPDns { get { throw null; } set { throw null; } }
    }

    public enum NetworkHelperStatus
    {
        None = 0,
        Started = 1,
        NetworkIsReady = 2,
        FailedNoNetworkInterface = 3,
        TokenExpiredWaitingIPAddress = 4,
        TokenExpiredWaitingDateTime = 5,
        ErrorConnetingToWiFiWhileScanning = 6,
        ExceptionOccurred = 7,
        Reconnecting = 8,
    }
}
