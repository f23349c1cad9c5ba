using System.Security.Cryptography;
using System.Text;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;

namespace Emrtd.Tests.PassiveAuthentication;

public class PassiveAuthenticationTests
{
    private static readonly Dictionary<int, byte[]> Groups = new()
    {
        [1] = [0x61, 0x03, 0x5F, 0x1F, 0x00],
        [13] = [0x6D, 0x02, 0x30, 0x00],
        [15] = [0x6F, 0x00],
    };

    /// <summary>An SOD signed at <paramref name="signedAt"/> (default: the test's now); MinValue leaves signingTime out.</summary>
    private static byte[] Sod(TestPki pki, DateTimeOffset? signedAt = null, IReadOnlyDictionary<int, byte[]>? groups = null) =>
        SodWriter.Create(groups ?? Groups, pki.DocumentSigner, pki.SignerKey, HashAlgorithmName.SHA256, signedAt ?? TestPki.Now);

    /// <summary>A Vietnamese DG13 with only field 11, the date of issue (dd/mm/yyyy, emrtd.md §3.3).</summary>
    private static byte[] Dg13Issued(DateTimeOffset date) =>
        Kiosk.Emrtd.Iso7816.BerTlv.Encode(0x6D, Kiosk.Emrtd.Iso7816.BerTlv.Encode(0x30, [
            0x02, 0x01, 0x01, 0x06, 0x06, 0x28, 0xD3, 0x16, 0x01, 0x00, 0x08,
            .. Kiosk.Emrtd.Iso7816.BerTlv.Encode(0x31, Kiosk.Emrtd.Iso7816.BerTlv.Encode(0x30, [
                0x02, 0x01, 0x0B, .. Kiosk.Emrtd.Iso7816.BerTlv.Encode(0x13, Encoding.ASCII.GetBytes(date.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture)))])),
        ]));

    private static CscaTrustStore Trust(TestPki pki) => CscaTrustStore.FromCertificates([pki.Csca]);

    [Fact]
    public void Sod_written_by_the_issuer_parses_back()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        EfSod sod = EfSod.Parse(Sod(pki));
        Assert.Equal(EfSod.IdLdsSecurityObject, sod.EContentType);
        Assert.Equal(HashAlgorithms.Sha256, sod.SecurityObject.HashAlgorithm.Oid);
        Assert.Equal([1, 13, 15], sod.SecurityObject.DataGroupHashes.Keys.Order());
        Assert.Equal(SHA256.HashData(Groups[13]), sod.SecurityObject.DataGroupHashes[13]);
        Assert.Single(sod.Certificates);
        Assert.NotNull(sod.SignerInfos[0].MessageDigest);
    }

    [Fact]
    public void Valid_with_a_named_curve_csca()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki), Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Valid, result.Status);
        Assert.Empty(result.Failures);
        Assert.Equal([1, 13, 15], result.VerifiedDataGroups);
        Assert.Contains("CSCA Test", result.Csca);
    }

    [Fact]
    public void Valid_with_a_brainpool_csca_with_explicit_parameters()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.brainpoolP256r1, explicitParameters: true);
        SubjectPublicKey cscaKey = Certificate.Parse(pki.Csca).PublicKey();
        Assert.Null(cscaKey.CurveOid); // the certificate really carries explicit parameters
        Assert.Equal("brainpoolP256r1", cscaKey.Curve!.Name);
        Assert.Equal("1.3.36.3.3.2.8.1.1.7", cscaKey.EquivalentCurveOid);
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki), Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Valid, result.Status);
    }

    [Fact]
    public void Tampered_data_group_is_invalid_and_named()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        var tampered = new Dictionary<int, byte[]>(Groups) { [13] = [0x6D, 0x02, 0x30, 0x01] };
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki), tampered, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Invalid, result.Status);
        Assert.Contains("DG13 hash does not match the SOD", result.Failures);
        Assert.Equal([1, 15], result.VerifiedDataGroups);
    }

    [Fact]
    public void Data_group_missing_from_the_sod_is_invalid()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        var extra = new Dictionary<int, byte[]>(Groups) { [2] = [0x75, 0x00] };
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki), extra, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Invalid, result.Status);
        Assert.Contains("DG2 is not listed in the SOD", result.Failures);
    }

    [Fact]
    public void Tampered_signature_is_invalid()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        byte[] sod = Sod(pki);
        sod[^5] ^= 0x01; // inside the ECDSA signature, the last field of the SignerInfo
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(sod, Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Invalid, result.Status);
    }

    [Fact]
    public void Unknown_csca_is_untrusted()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        TestPki other = TestPki.Create(ECCurve.NamedCurves.nistP256, "CN=Another CSCA, O=Elsewhere, C=XX");
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki), Groups, Trust(other), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, result.Status);
        Assert.Contains(result.Failures, f => f.StartsWith("no CSCA in the trust store", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_name_but_another_key_is_untrusted()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256);
        TestPki impostor = TestPki.Create(ECCurve.NamedCurves.nistP256);
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki), Groups, Trust(impostor), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, result.Status);
    }

    // Document signer dates follow the chain model (PassiveAuthenticator remarks): its key signs for a few months while
    // the documents it signed stay valid for years, so what counts is that its certificate was valid when it signed.

    [Fact]
    public void Document_signer_expired_since_it_signed_is_valid_with_a_note()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256, signerNotAfter: TestPki.Now.AddDays(-1));
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki, signedAt: TestPki.Now.AddDays(-30)), Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Valid, result.Status);
        Assert.Empty(result.Failures);
        string note = Assert.Single(result.Notes);
        Assert.StartsWith("the document signer certificate is not valid at 2026-06-01", note);
        Assert.Contains("but was at the SOD's signing time 2026-05-02", note);
    }

    [Fact]
    public void Document_signer_used_after_its_certificate_expired_is_untrusted()
    {
        // The virtual card's expired-document-signer fault: its SOD is signed today by a certificate that expired yesterday.
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256, signerNotAfter: TestPki.Now.AddDays(-1));
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki, signedAt: TestPki.Now), Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, result.Status);
        Assert.Contains(result.Failures, f => f.StartsWith("the document signer certificate is not valid at the SOD's signing time 2026-06-01", StringComparison.Ordinal));
        // Checking earlier does not help: the signing time, not the clock, decides.
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, PassiveAuthenticator.Verify(Sod(pki, signedAt: TestPki.Now), Groups, Trust(pki), TestPki.Now.AddDays(-30)).Status);
    }

    [Fact]
    public void Document_signer_used_before_its_certificate_was_valid_is_untrusted_even_while_valid_now()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256); // valid from a year before now
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki, signedAt: TestPki.Now.AddYears(-2)), Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, result.Status);
        Assert.Contains(result.Failures, f => f.StartsWith("the document signer certificate is not valid at the SOD's signing time 2024-06-01", StringComparison.Ordinal));
    }

    [Fact]
    public void Document_signer_not_yet_valid_today_is_untrusted_whatever_signing_time_the_sod_claims()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256); // valid from 2025-06-01
        DateTimeOffset checkedAt = TestPki.Now.AddYears(-2);
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki, signedAt: TestPki.Now), Groups, Trust(pki), checkedAt);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, result.Status);
        Assert.Contains(result.Failures, f => f.StartsWith("the document signer certificate is not valid at 2024-06-01", StringComparison.Ordinal) && f.EndsWith("not yet", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_signing_time_the_dg13_date_of_issue_decides()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256, signerNotAfter: TestPki.Now.AddDays(-1));
        var issuedInTime = new Dictionary<int, byte[]>(Groups) { [13] = Dg13Issued(TestPki.Now.AddMonths(-3)) };
        PassiveAuthenticationResult valid = PassiveAuthenticator.Verify(Sod(pki, DateTimeOffset.MinValue, issuedInTime), issuedInTime, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Valid, valid.Status);
        Assert.Contains("but was at the date of issue (DG13) 2026-03-01", Assert.Single(valid.Notes));

        // Issued on the day the certificate expired: a date of issue is a whole day, and the certificate was valid in it.
        var issuedOnLastDay = new Dictionary<int, byte[]>(Groups) { [13] = Dg13Issued(TestPki.Now.AddDays(-1)) };
        Assert.Equal(PassiveAuthenticationStatus.Valid,
            PassiveAuthenticator.Verify(Sod(pki, DateTimeOffset.MinValue, issuedOnLastDay), issuedOnLastDay, Trust(pki), TestPki.Now).Status);

        var issuedToday = new Dictionary<int, byte[]>(Groups) { [13] = Dg13Issued(TestPki.Now) };
        PassiveAuthenticationResult late = PassiveAuthenticator.Verify(Sod(pki, DateTimeOffset.MinValue, issuedToday), issuedToday, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, late.Status);
        Assert.Contains(late.Failures, f => f.StartsWith("the document signer certificate is not valid at the date of issue (DG13) 2026-06-01", StringComparison.Ordinal));
    }

    [Fact]
    public void Expired_document_signer_without_any_signing_date_is_untrusted()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256, signerNotAfter: TestPki.Now.AddDays(-1));
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki, DateTimeOffset.MinValue), Groups, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Untrusted, result.Status);
        Assert.Contains(result.Failures, f => f.Contains("neither a signing time nor a date of issue", StringComparison.Ordinal));
        // The same card checked while the certificate was valid passes: nothing else is wrong with it.
        Assert.Equal(PassiveAuthenticationStatus.Valid, PassiveAuthenticator.Verify(Sod(pki, DateTimeOffset.MinValue), Groups, Trust(pki), TestPki.Now.AddDays(-30)).Status);
    }

    [Fact]
    public void A_tampered_dg13_date_of_issue_cannot_rescue_an_expired_signer()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.nistP256, signerNotAfter: TestPki.Now.AddDays(-1));
        var signed = new Dictionary<int, byte[]>(Groups) { [13] = Dg13Issued(TestPki.Now) };
        var forged = new Dictionary<int, byte[]>(Groups) { [13] = Dg13Issued(TestPki.Now.AddMonths(-3)) };
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify(Sod(pki, DateTimeOffset.MinValue, signed), forged, Trust(pki), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Invalid, result.Status);
        Assert.Contains("DG13 hash does not match the SOD", result.Failures);
        Assert.Contains(result.Failures, f => f.Contains("neither a signing time nor a date of issue", StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_sod_is_invalid_not_an_exception()
    {
        PassiveAuthenticationResult result = PassiveAuthenticator.Verify([0x77, 0x03, 0x30, 0x01, 0x00], Groups, CscaTrustStore.Empty(), TestPki.Now);
        Assert.Equal(PassiveAuthenticationStatus.Invalid, result.Status);
    }

    [Fact]
    public void Trust_store_reads_pem_and_der_files_and_skips_others()
    {
        TestPki pki = TestPki.Create(ECCurve.NamedCurves.brainpoolP256r1, explicitParameters: true);
        string folder = Directory.CreateTempSubdirectory("csca-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "csca.pem"), "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(pki.Csca, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n");
            File.WriteAllBytes(Path.Combine(folder, "csca.der"), pki.Csca);
            File.WriteAllText(Path.Combine(folder, "README.txt"), "not a certificate");
            CscaTrustStore store = CscaTrustStore.FromFolder(folder);
            Assert.Equal(2, store.Certificates.Count);
            Assert.Equal(["README.txt"], store.Skipped);
            Assert.Equal(PassiveAuthenticationStatus.Valid, PassiveAuthenticator.Verify(Sod(pki), Groups, store, TestPki.Now).Status);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Rsa_pkcs1_and_pss_certificate_signatures_verify()
    {
        using RSA rsa = RSA.Create(2048);
        byte[] data = Encoding.ASCII.GetBytes("tbs");
        SubjectPublicKey key = SubjectPublicKey.Parse(rsa.ExportSubjectPublicKeyInfo());
        byte[] pkcs1 = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(SignatureVerifier.Verify(new AlgorithmIdentifier("1.2.840.113549.1.1.11", [0x05, 0x00]), key, data, pkcs1));
        byte[] pss = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        // RSASSA-PSS-params { [0] sha256, [1] mgf1(sha256), [2] 32 }
        byte[] parameters = Convert.FromHexString("3034A00F300D06096086480165030402010500A11C301A06092A864886F70D010108300D06096086480165030402010500A203020120");
        Assert.True(SignatureVerifier.Verify(new AlgorithmIdentifier("1.2.840.113549.1.1.10", parameters), key, data, pss));
        Assert.False(SignatureVerifier.Verify(new AlgorithmIdentifier("1.2.840.113549.1.1.10", parameters), key, Encoding.ASCII.GetBytes("other"), pss));
    }

    [Fact]
    public void Managed_ecdsa_verifies_platform_signatures_on_brainpool()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        byte[] data = Encoding.ASCII.GetBytes("LDS security object");
        SubjectPublicKey publicKey = SubjectPublicKey.Parse(TestPki.ExplicitSpki(key));
        byte[] der = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        byte[] plain = key.SignData(data, HashAlgorithmName.SHA512, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.True(ManagedEcdsa.Verify(publicKey, data, der, HashAlgorithmName.SHA256, derEncoded: true));
        Assert.True(ManagedEcdsa.Verify(publicKey, data, plain, HashAlgorithmName.SHA512, derEncoded: false));
        Assert.False(ManagedEcdsa.Verify(publicKey, [.. data, 0], der, HashAlgorithmName.SHA256, derEncoded: true));
    }
}
