using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Host.Tests.Support;

/// <summary>
/// A signed card as an issuer makes it: EF.COM, DG1, DG13, optionally DG2, DG14 (active-authentication info only: no
/// chip-authentication key, so the plain test chip needs no secure messaging) and DG15 (the chip's AA key), and EF.SOD by
/// a document signer of a CSCA written to <see cref="TrustFolder"/> (give it to the host as <c>--csca</c>). The chip's key
/// is genuine until a test swaps it (a clone).
/// </summary>
public sealed class SignedCard : IDisposable
{
    private readonly TempDir trust = new();
    public ECDsa ChipKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public Dictionary<string, byte[]> Files { get; } = [];
    public string TrustFolder => trust.Path;
    /// <summary>The document signer's serial number as the verification record gives it (hex).</summary>
    public const string SignerSerialNumber = "4B";
    public const string CscaName = "CN=CSCA Kiosk Host Test, O=Kiosk, C=VN";

    public SignedCard(bool withDg15 = true, byte[]? dg2 = null)
    {
        using ECDsa cscaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var cscaRequest = new CertificateRequest(CscaName, cscaKey, HashAlgorithmName.SHA256);
        cscaRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        using X509Certificate2 csca = cscaRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-5), DateTimeOffset.UtcNow.AddYears(10));
        using ECDsa signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 signer = new CertificateRequest("CN=Document Signer Kiosk Host Test, O=Kiosk, C=VN", signerKey, HashAlgorithmName.SHA256)
            .Create(csca.SubjectName, X509SignatureGenerator.CreateForECDsa(cscaKey), DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(5), [0x4B]);
        File.WriteAllBytes(Path.Combine(trust.Path, "csca.der"), csca.RawData);

        var groups = new Dictionary<int, byte[]> { [1] = TestCard.Dg1(), [13] = TestCard.SampleDg13() };
        var tags = new List<byte> { 0x61, 0x6D };
        if (dg2 is not null)
        {
            groups[2] = dg2;
            tags.Add(0x75);
        }
        if (withDg15)
        {
            // SecurityInfos { ActiveAuthenticationInfo { id-icao-mrtd-security-aaProtocolObject, 1, ecdsa-with-SHA256 } }
            groups[14] = Der.Tlv(0x6E, Der.Set(Der.Seq(Der.Hex("06 06 67 81 08 01 01 05"), Der.Int(1), Der.Hex("06 08 2A 86 48 CE 3D 04 03 02"))));
            groups[15] = Der.Tlv(0x6F, ChipKey.ExportSubjectPublicKeyInfo());
            tags.AddRange([0x6E, 0x6F]);
        }
        Files["EF.COM"] = Der.Tlv(0x60, Der.Tlv(0x5F01, "0107"u8.ToArray()), Der.Tlv(0x5F36, "040000"u8.ToArray()), Der.Tlv(0x5C, [.. tags]));
        foreach (var (number, bytes) in groups) Files["DG" + number] = bytes;
        Files["EF.SOD"] = Kiosk.Emrtd.Lds.SodWriter.Create(groups, signer.RawData, signerKey, HashAlgorithmName.SHA256);
    }

    /// <summary>The chip: every file, and the genuine AA key (a test may swap <see cref="TestCard.ActiveAuthenticationKey"/> for a clone's).</summary>
    public TestCard Chip(params string[] without)
    {
        var fids = new Dictionary<string, ushort>
        {
            ["EF.COM"] = 0x011E, ["EF.SOD"] = 0x011D, ["DG1"] = 0x0101, ["DG2"] = 0x0102, ["DG13"] = 0x010D, ["DG14"] = 0x010E, ["DG15"] = 0x010F,
        };
        return new TestCard(Files.Where(pair => !without.Contains(pair.Key)).ToDictionary(pair => fids[pair.Key], pair => pair.Value))
        {
            ActiveAuthenticationKey = ChipKey,
        };
    }

    public void Dispose()
    {
        ChipKey.Dispose();
        trust.Dispose();
    }
}
