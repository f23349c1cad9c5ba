using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeBroker.Tests;

/// <summary>A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, as PEM files.</summary>
public sealed class TestPki : IDisposable
{
    TestPki(string root) => Root = root;

    public string Root { get; }
    public string CaFile => Path.Combine(Root, "ca.pem");
    public string ServerCertificateFile => Path.Combine(Root, "server.pem");
    public string ServerKeyFile => Path.Combine(Root, "server.key");
    public string ClientCertificateFile => Path.Combine(Root, "client.pem");
    public string ClientKeyFile => Path.Combine(Root, "client.key");

    public static TestPki Create()
    {
        var pki = new TestPki(Directory.CreateTempSubdirectory("bridge-pki-").FullName);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Kiosk test fleet CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        File.WriteAllText(pki.CaFile, ca.ExportCertificatePem());

        Issue(ca, "CN=central test broker", "1.3.6.1.5.5.7.3.1", pki.ServerCertificateFile, pki.ServerKeyFile, now);
        Issue(ca, "CN=kiosk-k1", "1.3.6.1.5.5.7.3.2", pki.ClientCertificateFile, pki.ClientKeyFile, now);
        return pki;
    }

    static void Issue(X509Certificate2 ca, string subject, string usage, string certificateFile, string keyFile, DateTimeOffset now)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using X509Certificate2 certificate = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
