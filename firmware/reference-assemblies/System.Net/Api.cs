// Part of the public API of nanoFramework.System.Net (signatures of 1.11.54 from ../nano-packages-api.txt); no implementation.
using System;
using System.Net.Sockets;

namespace System.Net
{
    public static class Dns
    {
        public static IPHostEntry GetHostEntry(string hostNameOrAddress) { throw null; }
    }

    [Serializable]
    public abstract class EndPoint
    {
        public abstract SocketAddress Serialize();
        public abstract EndPoint Create(SocketAddress socketAddress);
    }

    [Serializable]
    public class IPAddress
    {
        public static readonly IPAddress Any;
        public IPAddress(long newAddress) { throw null; }
        public IPAddress(byte[] address) { throw null; }
        public AddressFamily AddressFamily { get { throw null; } }
        public override string ToString() { throw null; }
    }

    [Serializable]
    public class IPEndPoint : EndPoint
    {
        public IPEndPoint(IPAddress address, int port) { throw null; }
        public IPAddress Address { get { throw null; } }
        public int Port { get { throw null; } }
        public override SocketAddress Serialize() { throw null; }
        public override EndPoint Create(SocketAddress socketAddress) { throw null; }
    }

    public class IPHostEntry
    {
        public string HostName { get { throw null; } }
        public IPAddress[] AddressList { get { throw null; } }
    }

    public class SocketAddress
    {
        public SocketAddress(AddressFamily family, int size) { throw null; }
        public AddressFamily Family { get { throw null; } }
        public int Size { get { throw null; } }
    }
}

namespace System.Net.Sockets
{
    public enum AddressFamily
    {
        Unknown = -1,
        Unspecified = 0,
        Unix = 1,
        InterNetwork = 2,
        ImpLink = 3,
        Pup = 4,
        Chaos = 5,
        NS = 6,
        Ipx = 6,
        Iso = 7,
        Osi = 7,
        Ecma = 8,
        DataKit = 9,
        Ccitt = 10,
        Sna = 11,
        DecNet = 12,
        DataLink = 13,
        Lat = 14,
        HyperChannel = 15,
        AppleTalk = 16,
        NetBios = 17,
        VoiceView = 18,
        FireFox = 19,
        Banyan = 21,
        Atm = 22,
        InterNetworkV6 = 23,
        Cluster = 24,
        Ieee12844 = 25,
        Irda = 26,
        NetworkDesigners = 28,
        Max = 29,
    }

    public enum ProtocolType
    {
        IP = 0,
        IPv6HopByHopOptions = 0,
        Icmp = 1,
        Igmp = 2,
        Ggp = 3,
        IPv4 = 4,
        Tcp = 6,
        Pup = 12,
        Udp = 17,
        Idp = 22,
        IPv6 = 41,
        IPv6RoutingHeader = 43,
        IPv6FragmentHeader = 44,
        IPSecEncapsulatingSecurityPayload = 50,
        IPSecAuthenticationHeader = 51,
        IcmpV6 = 58,
        IPv6NoNextHeader = 59,
        IPv6DestinationOptions = 60,
        ND = 77,
        Raw = 255,
        Unspecified = 0,
        Ipx = 1000,
        Spx = 1256,
        SpxII = 1257,
        Unknown = -1,
    }

    public enum SocketType
    {
        Stream = 1,
        Dgram = 2,
        Raw = 3,
        Rdm = 4,
        Seqpacket = 5,
        Unknown = -1,
    }

    public class Socket : IDisposable
    {
        public Socket(AddressFamily addressFamily, SocketType socketType, ProtocolType protocolType) { throw null; }
        public int ReceiveTimeout { get { throw null; } set { throw null; } }
        public int SendTimeout { get { throw null; } set { throw null; } }
        public int SendTo(byte[] buffer, EndPoint remoteEP) { throw null; }
        public int ReceiveFrom(byte[] buffer, ref EndPoint remoteEP) { throw null; }
        public void Close() { throw null; }
        protected virtual void Dispose(bool disposing) { throw null; }
        void IDisposable.Dispose() { throw null; }
    }
}

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
