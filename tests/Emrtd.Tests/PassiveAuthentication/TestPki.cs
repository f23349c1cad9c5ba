using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Emrtd.Tests.PassiveAuthentication;

/// <summary>A CSCA → document signer hierarchy made with CertificateRequest, as a country's PKI would issue it.</summary>
public sealed class TestPki
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private TestPki(byte[] csca, byte[] documentSigner, ECDsa signerKey)
    {
        Csca = csca;
        DocumentSigner = documentSigner;
        SignerKey = signerKey;
    }

    public byte[] Csca { get; }
    public byte[] DocumentSigner { get; }
    public ECDsa SignerKey { get; }

    /// <param name="cscaCurve">The CSCA's curve.</param>
    /// <param name="explicitParameters">Write the CSCA key's curve out as explicit prime-field parameters, as the
    /// Vietnamese CSCA does (the platform cannot make such keys, so the certificate is assembled around the SPKI).</param>
    public static TestPki Create(ECCurve cscaCurve, string cscaName = "CN=CSCA Test, O=Kiosk, C=VN", DateTimeOffset? signerNotAfter = null,
        bool explicitParameters = false)
    {
        using ECDsa cscaKey = ECDsa.Create(cscaCurve);
        var name = new X500DistinguishedName(cscaName);
        CertificateRequest cscaRequest = explicitParameters
            ? new CertificateRequest(name, PublicKey.CreateFromSubjectPublicKeyInfo(ExplicitSpki(cscaKey), out _), HashAlgorithmName.SHA512)
            : new CertificateRequest(name, cscaKey, HashAlgorithmName.SHA512);
        cscaRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        cscaRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 csca = cscaRequest.Create(name, X509SignatureGenerator.CreateForECDsa(cscaKey), Now.AddYears(-5), Now.AddYears(10), [0x7F, 0x01]);

        ECDsa signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signerRequest = new CertificateRequest("CN=Document Signer Test, O=Kiosk, C=VN", signerKey, HashAlgorithmName.SHA256);
        signerRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var generator = X509SignatureGenerator.CreateForECDsa(cscaKey);
        using X509Certificate2 signer = signerRequest.Create(csca.SubjectName, generator, Now.AddYears(-1), signerNotAfter ?? Now.AddYears(5), [0x01, 0x23, 0x45]);
        return new TestPki(csca.RawData, signer.RawData, signerKey);
    }

    /// <summary>SubjectPublicKeyInfo { id-ecPublicKey, SpecifiedECDomain { 1, prime field, curve a b, base, order, cofactor }, Q }.</summary>
    public static byte[] ExplicitSpki(ECDsa key)
    {
        ECParameters named = key.ExportParameters(false);
        Kiosk.Emrtd.Pace.EllipticCurve curve = Kiosk.Emrtd.Pace.StandardDomainParameters.ById(
            named.Curve.Oid.Value == "1.3.36.3.3.2.8.1.1.7" ? Kiosk.Emrtd.Pace.StandardDomainParameters.BrainpoolP256r1 : Kiosk.Emrtd.Pace.StandardDomainParameters.NistP256);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.PushSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier("1.2.840.10045.2.1");
        writer.PushSequence();
        writer.WriteInteger(1);
        writer.PushSequence();
        writer.WriteObjectIdentifier("1.2.840.10045.1.1");
        writer.WriteInteger(curve.P);
        writer.PopSequence();
        writer.PushSequence();
        writer.WriteOctetString(curve.Coordinate(curve.A));
        writer.WriteOctetString(curve.Coordinate(curve.B));
        writer.PopSequence();
        writer.WriteOctetString(curve.Encode(curve.G));
        writer.WriteInteger(curve.N);
        writer.WriteInteger(curve.H);
        writer.PopSequence();
        writer.PopSequence();
        writer.WriteBitString([0x04, .. named.Q.X!, .. named.Q.Y!]);
        writer.PopSequence();
        return writer.Encode();
    }
}
