// Public API of nanoFramework.System.Device.Wifi 1.5.147 (signatures from ../nano-packages-api.txt); no implementation.
using System;
using System.Device.Wifi;
using System.Threading;

namespace System.Device.Wifi
{
    public delegate void AvailableNetworksChangedEventHandler(WifiAdapter sender, Object e);

    public sealed class WifiAdapter : IDisposable
    {
        internal WifiAdapter() { throw null; }
        public event AvailableNetworksChangedEventHandler AvailableNetworksChanged { add { throw null; } remove { throw null; } }
        public int NetworkInterface { get { throw null; } }
        public WifiNetworkReport NetworkReport { get { throw null; } }
        public WifiConnectionResult Connect(WifiAvailableNetwork availableNetwork, WifiReconnectionKind reconnectionKind, string passwordCredential) { throw null; }
        public WifiConnectionResult Connect(string ssid, WifiReconnectionKind reconnectionKind, string passwordCredential) { throw null; }
        public void Disconnect() { throw null; }
        public static WifiAdapter[] FindAllAdapters() { throw null; }
        public void SetDeviceName(string deviceName) { throw null; }
        public void ScanAsync() { throw null; }
        public void Dispose() { throw null; }
    }

    public class WifiAvailableNetwork
    {
        public string Bsid { get { throw null; } }
        public string Ssid { get { throw null; } }
        public WifiNetworkKind NetworkKind { get { throw null; } }
        public double NetworkRssiInDecibelMilliwatts { get { throw null; } }
        public byte SignalBars { get { throw null; } }
    }

    public class WifiConnectionResult
    {
        internal WifiConnectionResult() { throw null; }
        public WifiConnectionStatus ConnectionStatus { get { throw null; } }
    }

    public enum WifiConnectionStatus
    {
        AccessRevoked = 0,
        InvalidCredential = 1,
        NetworkNotAvailable = 2,
        Success = 3,
        Timeout = 4,
        UnspecifiedFailure = 5,
        UnsupportedAuthenticationProtocol = 6,
    }

    public enum WifiNetworkKind
    {
        Adhoc = 0,
        Any = 1,
        Infrastructure = 2,
    }

    public class WifiNetworkReport
    {
        internal WifiNetworkReport() { throw null; }
        public WifiAvailableNetwork[] AvailableNetworks { get { throw null; } }
    }

    public enum WifiReconnectionKind
    {
        Automatic = 0,
        Manual = 1,
    }
}

namespace nanoFramework.Networking
{
    public static class WifiNetworkHelper
    {
        public static ManualResetEvent NetworkReady { get { throw null; } }
        public static NetworkHelperStatus Status { get { throw null; } }
        public static Exception HelperException { get { throw null; } }
        public static void SetupNetworkHelper(bool requiresDateTime = false) { throw null; }
        public static void SetupNetworkHelper(IPConfiguration ipConfiguration, bool requiresDateTime = false) { throw null; }
        public static void SetupNetworkHelper(string ssid, string password, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false) { throw null; }
        public static void Disconnect() { throw null; }
        public static WifiAdapter WifiAdapter { get { throw null; } }
        public static bool ConnectDhcp(string ssid, string password, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default) { throw null; }
        public static bool ConnectFixAddress(string ssid, string password, IPConfiguration ipConfiguration, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false, int WifiAdapter = 0, CancellationToken token = default) { throw null; }
        public static bool ScanAndConnectDhcp(string ssid, string password, WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic, bool requiresDateTime = false, int WifiAdapter = 0, CancellationToken token = default) { throw null; }
        public static bool Reconnect(bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default) { throw null; }
        public static void Reset() { throw null; }
    }
}
