namespace Kiosk.Host;

/// <summary>
/// Command line (bound by ASP.NET configuration, <c>--key value</c>):
/// <c>--urls http://127.0.0.1:8080 --data var/host --broker 127.0.0.1:1883 --secrets var/secrets --device mcu-01
/// --portal http://127.0.0.1:8090</c>; optional <c>--kiosk-id</c>, <c>--ward</c>, <c>--idle-seconds</c>.
/// </summary>
public sealed class HostOptions
{
    public string Data { get; set; } = "var/host";
    public string Broker { get; set; } = "127.0.0.1:1883";
    public string Secrets { get; set; } = "var/secrets";
    public string Device { get; set; } = "mcu-01";
    public string Portal { get; set; } = "http://127.0.0.1:8090";
    /// <summary>The kiosk's id sent with each dossier; defaults to "kiosk-" + device.</summary>
    public string? KioskId { get; set; }
    /// <summary>The ward where the kiosk stands, printed on receipts.</summary>
    public string Ward { get; set; } = "Phường Nghĩa Đô, Thành phố Hà Nội";
    /// <summary>A resident session with no activity ends after this many seconds.</summary>
    public int IdleSeconds { get; set; } = 180;
    /// <summary>Set to false to run without a broker (tests, UI work).</summary>
    public bool Mqtt { get; set; } = true;
    /// <summary>Mutual TLS to the portal (<c>--portal-ca</c>, <c>--client-cert</c>, <c>--client-key</c>): the CA the
    /// portal's certificate must chain to, and the kiosk's client certificate and key (PEM).</summary>
    public string? PortalCa { get; set; }
    public string? ClientCert { get; set; }
    public string? ClientKey { get; set; }

    public string EffectiveKioskId => string.IsNullOrWhiteSpace(KioskId) ? "kiosk-" + Device : KioskId!;

    public (string Host, int Port) BrokerEndpoint()
    {
        var i = Broker.LastIndexOf(':');
        return i < 0 ? (Broker, 1883) : (Broker[..i], int.Parse(Broker[(i + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
