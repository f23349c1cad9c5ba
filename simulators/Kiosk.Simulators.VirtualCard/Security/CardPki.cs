using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Simulators.VirtualCard.Security;

/// <summary>A certificate with its private key, kept as PEM files (NAME.pem, NAME.key.pem) and NAME.der.</summary>
public sealed record IssuedCertificate(X509Certificate2 Certificate, ECDsa Key)
{
    public byte[] Der => Certificate.RawData;
}

/// <summary>
/// The virtual card's test PKI, created on first run in a folder and loaded from it afterwards: a self-signed CSCA
/// (ECDSA P-256) and a document signer it signed; for the faulty cards an expired document signer and a second CSCA
/// that no kiosk trusts, with its own signer. <c>trust/csca.der</c> and <c>trust/csca.pem</c> are what a kiosk's trust
/// store is pointed at (<see cref="TrustFolder"/>). Test keys only: never use them for anything real.
/// </summary>
public sealed class CardPki
{
    private CardPki(string folder, IssuedCertificate csca, IssuedCertificate signer, IssuedCertificate expiredSigner,
        IssuedCertificate unknownCsca, IssuedCertificate unknownSigner)
    {
        Folder = folder;
        Csca = csca;
        DocumentSigner = signer;
        ExpiredDocumentSigner = expiredSigner;
        UnknownCsca = unknownCsca;
        UnknownDocumentSigner = unknownSigner;
    }

    public string Folder { get; }
    public string TrustFolder => Path.Combine(Folder, "trust");
    public IssuedCertificate Csca { get; }
    public IssuedCertificate DocumentSigner { get; }
    public IssuedCertificate ExpiredDocumentSigner { get; }
    public IssuedCertificate UnknownCsca { get; }
    public IssuedCertificate UnknownDocumentSigner { get; }

    private static readonly object CreationGate = new();

    public static CardPki CreateOrLoad(string folder)
    {
        lock (CreationGate)
        {
            Directory.CreateDirectory(folder);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            IssuedCertificate csca = LoadOrCreate(folder, "csca", () => SelfSigned("CN=CSCA Kiosk Test, O=Kiosk Simulator, C=VN", now));
            IssuedCertificate signer = LoadOrCreate(folder, "document-signer", () => Issue(csca, "CN=Document Signer Kiosk Test, O=Kiosk Simulator, C=VN", now.AddYears(-1), now.AddYears(10), 2));
            IssuedCertificate expired = LoadOrCreate(folder, "document-signer-expired", () => Issue(csca, "CN=Document Signer Kiosk Test Expired, O=Kiosk Simulator, C=VN", now.AddYears(-6), now.AddDays(-1), 3));
            IssuedCertificate unknown = LoadOrCreate(folder, "csca-unknown", () => SelfSigned("CN=CSCA Unknown Test, O=Nobody, C=XX", now));
            IssuedCertificate unknownSigner = LoadOrCreate(folder, "document-signer-unknown", () => Issue(unknown, "CN=Document Signer Unknown Test, O=Nobody, C=XX", now.AddYears(-1), now.AddYears(10), 4));
            string trust = Path.Combine(folder, "trust");
            Directory.CreateDirectory(trust);
            File.WriteAllBytes(Path.Combine(trust, "csca.der"), csca.Der);
            return new CardPki(folder, csca, signer, expired, unknown, unknownSigner);
        }
    }

    private static IssuedCertificate LoadOrCreate(string folder, string name, Func<IssuedCertificate> create)
    {
        string certificatePath = Path.Combine(folder, name + ".pem"), keyPath = Path.Combine(folder, name + ".key.pem");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            return new IssuedCertificate(certificate, key);
        }
        IssuedCertificate issued = create();
        File.WriteAllText(certificatePath, issued.Certificate.ExportCertificatePem());
        File.WriteAllBytes(Path.Combine(folder, name + ".der"), issued.Der);
        File.WriteAllText(keyPath, issued.Key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return issued;
    }

    private static IssuedCertificate SelfSigned(string name, DateTimeOffset now)
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        X509Certificate2 certificate = request.CreateSelfSigned(now.AddYears(-7), now.AddYears(15));
        return new IssuedCertificate(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    private static IssuedCertificate Issue(IssuedCertificate issuer, string name, DateTimeOffset notBefore, DateTimeOffset notAfter, byte serial)
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        X509Certificate2 certificate = request.Create(issuer.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(issuer.Key),
            notBefore, notAfter, [0x10, serial]);
        return new IssuedCertificate(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }
}
