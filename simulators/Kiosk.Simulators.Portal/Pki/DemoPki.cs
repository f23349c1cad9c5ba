using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Simulators.Portal.Pki;

/// <summary>
/// The demo's simulated certificate authority, kept in one folder (<c>--pki DIR</c>) as PEM files:
/// <c>ca.crt</c>/<c>ca.key</c> (the CA), <c>server.crt</c>/<c>server.key</c> (the portal, SAN 127.0.0.1, ::1 and
/// localhost) and <c>{kioskId}.crt</c>/<c>{kioskId}.key</c> per kiosk (client certificate, CN = kiosk id). Every key
/// file is created with mode 0600. Nothing is overwritten: files that exist are used as they are, so a restarted
/// simulator keeps its CA and the kiosks keep their certificates. It lives in the portal simulator because the portal's
/// operator plays the authority that enrols kiosks; a real kiosk gets its certificate from the installer instead.
/// </summary>
public sealed class DemoPki
{
    public const string CaCertFile = "ca.crt";
    public const string CaKeyFile = "ca.key";
    public const string ServerCertFile = "server.crt";
    public const string ServerKeyFile = "server.key";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private DemoPki(string folder, X509Certificate2 ca)
    {
        Folder = folder;
        CaCertificate = ca;
    }

    public string Folder { get; }
    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 CaCertificate { get; }

    public string CaCertPath => Path.Combine(Folder, CaCertFile);
    public string ServerCertPath => Path.Combine(Folder, ServerCertFile);
    public string ServerKeyPath => Path.Combine(Folder, ServerKeyFile);
    public string ClientCertPath(string kioskId) => Path.Combine(Folder, FileSafe(kioskId) + ".crt");
    public string ClientKeyPath(string kioskId) => Path.Combine(Folder, FileSafe(kioskId) + ".key");

    /// <summary>Opens the CA in <paramref name="folder"/>, creating it (and the server certificate) when missing.</summary>
    public static DemoPki LoadOrCreate(string folder, string caName = "Kiosk Demo CA")
    {
        Directory.CreateDirectory(folder);
        var certPath = Path.Combine(folder, CaCertFile);
        var keyPath = Path.Combine(folder, CaKeyFile);
        X509Certificate2 ca;
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            ca = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        else
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(new X500DistinguishedName($"CN={caName}, O=Kiosk demo"), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = DateTimeOffset.UtcNow;
            ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
            WriteKey(keyPath, key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(certPath, ca.ExportCertificatePem());
        }
        var pki = new DemoPki(folder, ca);
        if (!File.Exists(pki.ServerCertPath) || !File.Exists(pki.ServerKeyPath)) pki.Issue("127.0.0.1", server: true, pki.ServerCertPath, pki.ServerKeyPath);
        return pki;
    }

    /// <summary>The kiosk's client certificate (CN = kiosk id), issued once; returns the certificate and key paths.</summary>
    public (string CertPath, string KeyPath) EnsureClient(string kioskId)
    {
        var cert = ClientCertPath(kioskId);
        var key = ClientKeyPath(kioskId);
        if (!File.Exists(cert) || !File.Exists(key)) Issue(kioskId, server: false, cert, key);
        return (cert, key);
    }

    /// <summary>The portal's TLS certificate with its key.</summary>
    public X509Certificate2 ServerCertificate() => X509Certificate2.CreateFromPemFile(ServerCertPath, ServerKeyPath);

    /// <summary>Issues a certificate signed by this CA and writes it (key mode 0600).</summary>
    public X509Certificate2 Issue(string commonName, bool server, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([server ? ServerAuth : ClientAuth], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddIpAddress(IPAddress.IPv6Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(CaCertificate, now.AddDays(-1), now.AddYears(2), serial);
        WriteKey(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, issued.ExportCertificatePem());
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="ca"/> (and only to it).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca, Oid? usage = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (usage is not null) chain.ChainPolicy.ApplicationPolicy.Add(usage);
        return chain.Build(certificate)
            && chain.ChainElements.Count >= 2
            && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
    }

    public static Oid ClientAuthentication => ClientAuth;

    /// <summary>Writes a private key that only the owner can read (0600 from creation on, no window with wider rights).</summary>
    private static void WriteKey(string path, string pem)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(pem);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string FileSafe(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
