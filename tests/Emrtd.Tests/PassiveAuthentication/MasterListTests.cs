using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;

namespace Emrtd.Tests.PassiveAuthentication;

/// <summary>
/// ICAO master lists (CMS SignedData of CscaMasterList, ICAO 9303-12 §8/§9) signed with the platform's SignedCms, as a
/// country's Master List Signer would: a list is trusted only when its signature verifies and its signer was issued by a
/// CSCA the operator trusts directly.
/// </summary>
public sealed class MasterListTests : IDisposable
{
    private static readonly Dictionary<int, byte[]> Groups = new() { [1] = [0x61, 0x03, 0x5F, 0x1F, 0x00] };

    /// <summary>The CSCA of the state that publishes the list (the operator got it out of band).</summary>
    private readonly (X509Certificate2 Certificate, ECDsa Key) publisher = Ca("CN=CSCA Publisher, O=Kiosk, C=DE");
    /// <summary>The CSCA whose cards the kiosk reads: in the list, not in the operator's folder.</summary>
    private readonly TestPki cardPki = TestPki.Create(ECCurve.NamedCurves.brainpoolP256r1, explicitParameters: true);
    private readonly string folder = Directory.CreateTempSubdirectory("masterlist-").FullName;

    public void Dispose()
    {
        publisher.Certificate.Dispose();
        publisher.Key.Dispose();
        Directory.Delete(folder, true);
    }

    private byte[] CardSod() => SodWriter.Create(Groups, cardPki.DocumentSigner, cardPki.SignerKey, HashAlgorithmName.SHA256, TestPki.Now);

    private PassiveAuthenticationStatus VerifyCard(CscaTrustStore store) => PassiveAuthenticator.Verify(CardSod(), Groups, store, TestPki.Now).Status;

    [Fact]
    public void Signed_list_whose_signer_the_operator_trusts_adds_its_cscas()
    {
        using X509Certificate2 signer = IssueSigner(publisher, "CN=Master List Signer, O=Kiosk, C=DE");
        CscaTrustStore store = CscaTrustStore.FromCertificates([publisher.Certificate.RawData]);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, VerifyCard(store));

        store.AddMasterList(MasterList(signer, [cardPki.Csca, publisher.Certificate.RawData]));
        Assert.Equal(3, store.Certificates.Count);
        Assert.Empty(store.Warnings);
        Assert.Equal(PassiveAuthenticationStatus.Valid, VerifyCard(store));
    }

    [Fact]
    public void Folder_reads_the_certificate_files_before_the_lists_whatever_their_names()
    {
        using X509Certificate2 signer = IssueSigner(publisher, "CN=Master List Signer, O=Kiosk, C=DE");
        File.WriteAllBytes(Path.Combine(folder, "0-list.ml"), MasterList(signer, [cardPki.Csca]));
        File.WriteAllBytes(Path.Combine(folder, "z-publisher.der"), publisher.Certificate.RawData);
        CscaTrustStore store = CscaTrustStore.FromFolder(folder);
        Assert.Empty(store.Skipped);
        Assert.Empty(store.Warnings);
        Assert.Equal(PassiveAuthenticationStatus.Valid, VerifyCard(store));
    }

    [Fact]
    public void Tampered_content_is_rejected_and_nothing_of_it_is_trusted()
    {
        using X509Certificate2 signer = IssueSigner(publisher, "CN=Master List Signer, O=Kiosk, C=DE");
        byte[] list = MasterList(signer, [cardPki.Csca]);
        int at = IndexOf(list, cardPki.Csca);
        list[at + cardPki.Csca.Length - 1] ^= 0x01; // the CSCA's own signature bits: still a well-formed certificate
        CscaTrustStore store = CscaTrustStore.FromCertificates([publisher.Certificate.RawData]);

        var rejected = Assert.Throws<MasterListRejectedException>(() => store.AddMasterList(list));
        Assert.Equal("the message digest does not match the list's content", rejected.Message);
        Assert.Single(store.Certificates);
    }

    [Fact]
    public void Signature_by_another_key_than_the_signer_certificate_is_rejected()
    {
        // Both certificates are genuinely issued by the trusted CSCA with the same issuer and serial number, so the
        // SignerInfo points at the first while the second's key signed: only the signature check can tell.
        using X509Certificate2 named = IssueSigner(publisher, "CN=Master List Signer, O=Kiosk, C=DE");
        using X509Certificate2 other = IssueSigner(publisher, "CN=Master List Signer, O=Kiosk, C=DE");
        byte[] list = MasterList(other, [cardPki.Csca], includedCertificate: named.RawData);
        CscaTrustStore store = CscaTrustStore.FromCertificates([publisher.Certificate.RawData]);

        var rejected = Assert.Throws<MasterListRejectedException>(() => store.AddMasterList(list));
        Assert.Contains("signature does not verify", rejected.Message);
        Assert.Single(store.Certificates);
    }

    [Fact]
    public void Signer_issued_by_no_trusted_csca_is_rejected()
    {
        var stranger = Ca("CN=CSCA Stranger, O=Elsewhere, C=XX");
        using X509Certificate2 signer = IssueSigner(stranger, "CN=Master List Signer, O=Elsewhere, C=XX");
        File.WriteAllBytes(Path.Combine(folder, "list.ml"), MasterList(signer, [cardPki.Csca]));
        File.WriteAllBytes(Path.Combine(folder, "publisher.der"), publisher.Certificate.RawData);
        CscaTrustStore store = CscaTrustStore.FromFolder(folder);

        Assert.Equal(["list.ml"], store.Skipped);
        Assert.Equal("master list list.ml rejected: its signer CN=Master List Signer, O=Elsewhere, C=XX is not issued by any trusted CSCA (issuer CN=CSCA Stranger, O=Elsewhere, C=XX)",
            Assert.Single(store.Warnings));
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, VerifyCard(store));
        stranger.Certificate.Dispose();
        stranger.Key.Dispose();
    }

    [Fact]
    public void List_vouching_for_its_own_signer_is_rejected_unless_the_operator_accepts_it_with_a_warning()
    {
        // The signer's CSCA is in the list itself: anyone can make such a list, so by default it proves nothing.
        var self = Ca("CN=CSCA Self, O=Elsewhere, C=XX");
        using X509Certificate2 signer = IssueSigner(self, "CN=Master List Signer, O=Elsewhere, C=XX");
        byte[] list = MasterList(signer, [self.Certificate.RawData, cardPki.Csca]);

        var rejected = Assert.Throws<MasterListRejectedException>(() => CscaTrustStore.Empty().AddMasterList(list));
        Assert.Contains("vouched for only by CN=CSCA Self, O=Elsewhere, C=XX from the list itself", rejected.Message);

        File.WriteAllBytes(Path.Combine(folder, "self.ml"), list);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, VerifyCard(CscaTrustStore.FromFolder(folder)));
        CscaTrustStore accepted = CscaTrustStore.FromFolder(folder, acceptSelfVouchedMasterLists: true);
        Assert.Contains("accepted on its own word", Assert.Single(accepted.Warnings));
        Assert.Equal(PassiveAuthenticationStatus.Valid, VerifyCard(accepted));

        // Once the operator trusts that CSCA directly, the same list is accepted without a warning.
        File.WriteAllBytes(Path.Combine(folder, "self.der"), self.Certificate.RawData);
        CscaTrustStore anchored = CscaTrustStore.FromFolder(folder);
        Assert.Empty(anchored.Warnings);
        Assert.Equal(PassiveAuthenticationStatus.Valid, VerifyCard(anchored));
        self.Certificate.Dispose();
        self.Key.Dispose();
    }

    [Fact]
    public void Cscas_from_an_accepted_list_do_not_vouch_for_another_list()
    {
        using X509Certificate2 signer = IssueSigner(publisher, "CN=Master List Signer, O=Kiosk, C=DE");
        var second = Ca("CN=CSCA Second, O=Elsewhere, C=XX");
        using X509Certificate2 secondSigner = IssueSigner(second, "CN=Master List Signer, O=Elsewhere, C=XX");
        CscaTrustStore store = CscaTrustStore.FromCertificates([publisher.Certificate.RawData]);
        store.AddMasterList(MasterList(signer, [second.Certificate.RawData]));
        Assert.Throws<MasterListRejectedException>(() => store.AddMasterList(MasterList(secondSigner, [cardPki.Csca])));
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, VerifyCard(store));
        second.Certificate.Dispose();
        second.Key.Dispose();
    }

    [Fact]
    public void Bytes_that_are_no_master_list_are_a_malformed_data_error()
    {
        Assert.Throws<MalformedDataException>(() => CscaTrustStore.Empty().AddMasterList([0x30, 0x03, 0x02, 0x01, 0x00]));
        // An EF.SOD is signed data too, but of another content type.
        Assert.Throws<MalformedDataException>(() => CscaTrustStore.Empty().AddMasterList(CardSod()[2..]));
    }

    private static (X509Certificate2 Certificate, ECDsa Key) Ca(string name)
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return (request.CreateSelfSigned(TestPki.Now.AddYears(-5), TestPki.Now.AddYears(10)), key);
    }

    /// <summary>A Master List Signer certificate (with its private key) issued by <paramref name="ca"/>; serial 0x4D4C.</summary>
    private static X509Certificate2 IssueSigner((X509Certificate2 Certificate, ECDsa Key) ca, string name)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using X509Certificate2 issued = request.Create(ca.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(ca.Key),
            TestPki.Now.AddYears(-1), TestPki.Now.AddYears(3), [0x4D, 0x4C]);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// ContentInfo(SignedData(CscaMasterList { 0, SET OF Certificate })) signed by <paramref name="signer"/>, with its
    /// certificate (or <paramref name="includedCertificate"/> instead) in SignedData.certificates.
    /// </summary>
    private static byte[] MasterList(X509Certificate2 signer, IEnumerable<byte[]> cscas, byte[]? includedCertificate = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSequence();
        writer.WriteInteger(0);
        writer.PushSetOf();
        foreach (byte[] csca in cscas) writer.WriteEncodedValue(csca);
        writer.PopSetOf();
        writer.PopSequence();
        var cms = new SignedCms(new ContentInfo(new Oid(CscaTrustStore.IdIcaoCscaMasterList), writer.Encode()), detached: false);
        var cmsSigner = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signer)
        {
            DigestAlgorithm = new Oid(HashAlgorithms.Sha256),
            IncludeOption = includedCertificate is null ? X509IncludeOption.EndCertOnly : X509IncludeOption.None,
        };
        cms.ComputeSignature(cmsSigner);
        if (includedCertificate is not null) cms.AddCertificate(X509CertificateLoader.LoadCertificate(includedCertificate));
        return cms.Encode();
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }
}
