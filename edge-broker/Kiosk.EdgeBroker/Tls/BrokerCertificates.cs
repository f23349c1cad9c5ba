using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kiosk.EdgeBroker.Hosting;
using Kiosk.EdgeBroker.Users;
using MQTTnet.Certificates;

namespace Kiosk.EdgeBroker.Tls;

/// <summary>
/// The kiosk's own small PKI for the TLS listener, kept in the secrets folder: a CA made on first start (the devices pin
/// it) and a server certificate issued from it. The CA is reused for its whole life; the server certificate is issued
/// again when it is missing or unreadable, no longer chains to the CA, expires within <see cref="RenewBefore"/>, or does
/// not name the TLS host. MQTTnet asks for the certificate on every TLS connection, so a broker that runs for years
/// renews it without a restart.
/// </summary>
public sealed class BrokerCertificates : ICertificateProvider
{
    public const string CaCertificateFileName = "broker-ca.crt";
    public const string CaKeyFileName = "broker-ca.key";
    public const string ServerCertificateFileName = "broker-tls.crt";
    public const string ServerKeyFileName = "broker-tls.key";

    public const int CaLifetimeYears = 20;

    /// <summary>Two years: short enough that a copied server key is not good for long, long enough that a kiosk clock
    /// which is somewhat off does not matter. The devices pin the CA, so a new server certificate needs nothing on them.</summary>
    public static readonly TimeSpan ServerCertificateLifetime = TimeSpan.FromDays(730);

    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>Certificates start an hour back, for devices whose clock is a little behind the Pi's.</summary>
    static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    /// <summary>A clock before this has not been set (a Pi has no RTC): a CA made now would carry wrong dates for 20 years.</summary>
    static readonly DateTimeOffset EarliestPlausibleTime = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    readonly string _secretsDirectory;
    readonly string _host;
    readonly TimeProvider _clock;
    readonly BrokerLog _log;
    readonly Lock _sync = new();
    X509Certificate2? _ca;
    X509Certificate2? _server;
    DateTimeOffset _renewAt;

    /// <param name="host">The canonical TLS host (<see cref="EdgeBrokerOptions.DeviceHost"/>).</param>
    public BrokerCertificates(string secretsDirectory, string host, TimeProvider clock, BrokerLog log)
    {
        _secretsDirectory = secretsDirectory;
        _host = host;
        _clock = clock;
        _log = log;
    }

    public string CaCertificatePath => Path.Combine(_secretsDirectory, CaCertificateFileName);
    public string CaKeyPath => Path.Combine(_secretsDirectory, CaKeyFileName);
    public string ServerCertificatePath => Path.Combine(_secretsDirectory, ServerCertificateFileName);
    public string ServerKeyPath => Path.Combine(_secretsDirectory, ServerKeyFileName);

    /// <summary>The CA certificate (public part, DER), what the device files carry as the pinned CA.</summary>
    public byte[] CaCertificateDer => (_ca ?? throw new InvalidOperationException("Call EnsureReady first.")).RawData;

    /// <summary>
    /// Loads the CA or creates it when both of its files are missing, then loads or issues the server certificate.
    /// Throws <see cref="InvalidDataException"/> (with what to do) when the CA files are damaged, one of the two is
    /// missing or the CA has expired: a new CA would lock out every device that pins the old one, so that is not done
    /// silently.
    /// </summary>
    public void EnsureReady()
    {
        lock (_sync)
        {
            _ca = LoadOrCreateCa();
            using X509Certificate2? loaded = LoadServerCertificate(out string? unreadable);
            string? problem = ProblemWith(loaded, out X509Certificate2? current);
            if (problem is null && current is not null)
            {
                _server = current;
                _renewAt = current.NotAfter.ToUniversalTime() - RenewBefore;
                return;
            }

            Issue(unreadable ?? problem!);
        }
    }

    /// <summary>MQTTnet's hook, called for every accepted TLS connection: the current certificate, renewed when due.</summary>
    public X509Certificate2 GetCertificate()
    {
        lock (_sync)
        {
            if (_server is null)
            {
                throw new InvalidOperationException("Call EnsureReady first.");
            }

            if (_clock.GetUtcNow() >= _renewAt)
            {
                try
                {
                    Issue($"expires {_server.NotAfter.ToUniversalTime():yyyy-MM-dd}");
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
                {
                    // Keep serving the current one; try again in an hour rather than on every connection.
                    _renewAt = _clock.GetUtcNow() + TimeSpan.FromHours(1);
                    _log.Warn($"could not renew the TLS server certificate ({exception.Message}); still serving the one valid until {_server.NotAfter.ToUniversalTime():u}");
                }
            }

            return _server;
        }
    }

    X509Certificate2 LoadOrCreateCa()
    {
        bool haveCertificate = File.Exists(CaCertificatePath);
        bool haveKey = File.Exists(CaKeyPath);
        if (!haveCertificate && !haveKey)
        {
            return CreateCa();
        }

        if (haveCertificate != haveKey)
        {
            throw new InvalidDataException(
                $"{(haveCertificate ? CaKeyPath : CaCertificatePath)} is missing but {(haveCertificate ? CaCertificatePath : CaKeyPath)} exists: " +
                $"restore it from the kiosk's backup, or delete both to create a new CA (then every device needs its new device-NAME.conf).");
        }

        X509Certificate2 ca;
        try
        {
            ca = X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            // ArgumentException: the key is not this certificate's.
            throw new InvalidDataException(
                $"{CaCertificatePath} and {CaKeyPath} cannot be read as a certificate and its key ({exception.Message}): restore them, " +
                "or delete both to create a new CA (then every device needs its new device-NAME.conf).", exception);
        }

        if (ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            throw new InvalidDataException($"{CaCertificatePath} is not a CA certificate.");
        }

        if (ca.NotAfter.ToUniversalTime() <= _clock.GetUtcNow())
        {
            throw new InvalidDataException(
                $"the broker CA {CaCertificatePath} expired on {ca.NotAfter.ToUniversalTime():u} (or the clock is wrong): delete " +
                $"{CaCertificateFileName} and {CaKeyFileName} to create a new CA, then give every device its new device-NAME.conf.");
        }

        if (ca.NotAfter.ToUniversalTime() - _clock.GetUtcNow() < ServerCertificateLifetime)
        {
            _log.Warn($"the broker CA expires on {ca.NotAfter.ToUniversalTime():yyyy-MM-dd}: plan a new CA and new device files before then");
        }

        return ca;
    }

    X509Certificate2 CreateCa()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        if (now < EarliestPlausibleTime)
        {
            throw new InvalidDataException(
                $"the clock says {now:u}: set it (NTP) before the broker's first start, since the new broker CA is valid from now for {CaLifetimeYears} years.");
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // A random part in the name tells one kiosk's CA from another's in a device's log or an openssl dump.
        string name = $"CN=Kiosk edge broker CA {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}, O=Kiosk";
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        X509Certificate2 ca = request.CreateSelfSigned(now - Backdate, now.AddYears(CaLifetimeYears));

        // Key first: a crash between the two leaves a key without a certificate, which the next start reports.
        SecretFile.Write(CaKeyPath, key.ExportPkcs8PrivateKeyPem(), SecretFile.Private);
        SecretFile.Write(CaCertificatePath, ca.ExportCertificatePem(), SecretFile.Public);
        _log.Info($"created broker CA subject=\"{ca.Subject}\" until={ca.NotAfter.ToUniversalTime():yyyy-MM-dd} certificate={CaCertificatePath}");
        return ca;
    }

    X509Certificate2? LoadServerCertificate(out string? unreadable)
    {
        unreadable = null;
        if (!File.Exists(ServerCertificatePath) || !File.Exists(ServerKeyPath))
        {
            unreadable = "missing";
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(ServerCertificatePath, ServerKeyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            unreadable = "unreadable or its key does not match";
            return null;
        }
    }

    /// <summary>Why CANDIDATE cannot be served (null = it can); on success CURRENT is the certificate to use.</summary>
    string? ProblemWith(X509Certificate2? candidate, out X509Certificate2? current)
    {
        current = null;
        if (candidate is null)
        {
            return "missing";
        }

        DateTimeOffset now = _clock.GetUtcNow();
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca!);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
            if (!chain.Build(candidate))
            {
                return "not valid now or not issued by the broker CA";
            }
        }

        if (candidate.NotAfter.ToUniversalTime() - RenewBefore <= now)
        {
            return $"expires {candidate.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        }

        if (!NamesHost(candidate))
        {
            return $"does not name {_host}";
        }

        current = ForTls(candidate);
        return null;
    }

    bool NamesHost(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (names is null)
        {
            return false;
        }

        var dns = names.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var addresses = names.EnumerateIPAddresses().ToHashSet();
        return Names().All(name => name is IPAddress address ? addresses.Contains(address) : dns.Contains((string)name));
    }

    /// <summary>The TLS host, 127.0.0.1 and localhost: what the server certificate must name.</summary>
    IEnumerable<object> Names()
    {
        yield return IPAddress.TryParse(_host, out IPAddress? address) ? address : _host;
        yield return IPAddress.Loopback;
        yield return "localhost";
    }

    void Issue(string reason)
    {
        DateTimeOffset now = _clock.GetUtcNow();
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={_host}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (object name in Names().Distinct())
        {
            if (name is IPAddress address)
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName((string)name);
            }
        }

        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca!, true, false));

        DateTimeOffset notAfter = now + ServerCertificateLifetime;
        DateTimeOffset caNotAfter = _ca!.NotAfter.ToUniversalTime();
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter; // a certificate may not outlive its issuer
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        using X509Certificate2 issued = request.Create(_ca, now - Backdate, notAfter, serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);

        SecretFile.Write(ServerKeyPath, key.ExportPkcs8PrivateKeyPem(), SecretFile.Private);
        SecretFile.Write(ServerCertificatePath, issued.ExportCertificatePem(), SecretFile.Private);
        // The one served before keeps living: a handshake in progress on another connection may still use it.
        _server = ForTls(withKey);
        // Near the CA's end a renewal cannot reach past RenewBefore: then look again daily, not on every connection.
        DateTimeOffset renewAt = _server.NotAfter.ToUniversalTime() - RenewBefore;
        _renewAt = renewAt > now ? renewAt : now + TimeSpan.FromDays(1);
        _log.Info($"issued TLS server certificate host={_host} until={_server.NotAfter.ToUniversalTime():yyyy-MM-dd} reason={reason} certificate={ServerCertificatePath}");
    }

    /// <summary>
    /// A copy for the TLS listener that owns its key: Windows' TLS stack cannot use a key that lives only in memory,
    /// so go through PKCS#12 (on Linux it costs a millisecond and keeps one code path).
    /// </summary>
    static X509Certificate2 ForTls(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
