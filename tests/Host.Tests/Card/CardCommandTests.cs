using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kiosk.Ctl;
using Kiosk.Host.Devices;
using Kiosk.Host.Tests.Support;
using Kiosk.Host.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Card;

/// <summary>kioskctl card read (against the real host in-process, with a scripted firmware and card) and card inspect.</summary>
public class CardCommandTests
{
    private static readonly string[] IssueFields =
    [
        "idNumber", "documentNumber", "fullName", "dateOfBirth", "sex", "nationality", "ethnicity", "religion", "placeOfOrigin",
        "placeOfResidence", "identifyingMarks", "dateOfIssue", "dateOfExpiry", "fatherName", "motherName", "spouseName",
        "oldIdNumber", "mrz", "passiveAuthentication", "chipAuthentication", "activeAuthentication",
    ];

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Cli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<(WebApplication App, string Url, TempDir Dir)> StartHost(TestCard card, string? cscaFolder = null)
    {
        var dir = new TempDir();
        var app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", dir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", "http://127.0.0.1:9", "--Logging:LogLevel:Default", "Warning",
            .. cscaFolder is null ? Array.Empty<string>() : ["--csca", cscaFolder],
        ], services => services.AddSingleton<IFirmwareLink>(new FakeFirmwareLink(card)));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, url, dir);
    }

    [Fact]
    public async Task Card_read_prints_every_issue_field_and_timings_and_is_not_verified_yet()
    {
        var card = TestCard.Sample();
        var (app, url, dir) = await StartHost(card);
        try
        {
            var (code, output, _) = await Run("card", "read", "--host", url, "--json");
            using var doc = JsonDocument.Parse(output);
            JsonElement r = doc.RootElement;
            foreach (var field in IssueFields) Assert.True(r.TryGetProperty(field, out _), field);
            Assert.Equal("001099012345", r.GetProperty("idNumber").GetString());
            Assert.Equal("1999-01-01", r.GetProperty("dateOfBirth").GetString());
            Assert.Contains("Nguyễn Văn An", output); // UTF-8 with diacritics, not \u escapes
            Assert.Equal(3, r.GetProperty("mrz").GetArrayLength());
            // The test card has no EF.SOD: nothing to verify against.
            Assert.Equal("invalid", r.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.True(r.GetProperty("timings").GetProperty("totalMs").GetDouble() >= 0);
            Assert.True(r.GetProperty("timings").GetProperty("apdus").GetInt32() > 3);
            Assert.Equal(ExitCodes.Degraded, code); // read, but not verified
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            dir.Dispose();
        }
    }

    [Fact]
    public async Task Card_read_without_a_card_and_with_bad_keys()
    {
        var card = TestCard.Sample();
        card.Present = false;
        var (app, url, dir) = await StartHost(card);
        try
        {
            var (code, _, err) = await Run("card", "read", "--host", url);
            Assert.Equal(ExitCodes.Degraded, code);
            Assert.True(err.Contains("no-card"), err);
            Assert.Equal(ExitCodes.Usage, (await Run("card", "read", "--host", url, "--can", "12ab56")).Code);
            Assert.Equal(ExitCodes.Usage, (await Run("card", "read", "--host", url, "--can", "123456", "--mrz", "X")).Code);
            var (badMrz, _, mrzErr) = await Run("card", "read", "--host", url, "--mrz", "NOT-AN-MRZ");
            Assert.Equal(ExitCodes.Degraded, badMrz);
            Assert.Contains("bad-key", mrzErr);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            dir.Dispose();
        }
        Assert.Equal(ExitCodes.Unreachable, (await Run("card", "read", "--host", "http://127.0.0.1:9", "--timeout", "2")).Code);
    }

    [Fact]
    public void Mrz_key_is_taken_from_a_td1_mrz()
    {
        Assert.NotNull(CardEndpoints.KeyFrom(new CardReadRequest(null, TestCard.Mrz)));
        Assert.NotNull(CardEndpoints.KeyFrom(new CardReadRequest("123456", null)));
        Assert.Null(CardEndpoints.KeyFrom(new CardReadRequest(null, null)));
        Assert.Throws<ArgumentException>(() => CardEndpoints.KeyFrom(new CardReadRequest(null, TestCard.Mrz[..36] + "9" + TestCard.Mrz[37..])));
    }

    [Fact]
    public async Task Card_inspect_decodes_a_dump_and_needs_sod_and_dg1()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(Path.Combine(dir.Path, "DG1"), TestCard.Dg1());
        File.WriteAllBytes(Path.Combine(dir.Path, "DG13"), TestCard.SampleDg13());
        var (missing, _, missingErr) = await Run("card", "inspect", dir.Path, "--json");
        Assert.Equal(ExitCodes.Degraded, missing);
        Assert.Contains("EF.SOD", missingErr);

        File.WriteAllBytes(Path.Combine(dir.Path, "EF.SOD"), Der.Tlv(0x77, [0x30, 0x00]));
        var (code, output, _) = await Run("card", "inspect", dir.Path, "--json");
        using var doc = JsonDocument.Parse(output);
        foreach (var field in IssueFields) Assert.True(doc.RootElement.TryGetProperty(field, out _), field);
        Assert.Equal("Nốt ruồi cách 2cm trên mép trái", doc.RootElement.GetProperty("identifyingMarks").GetString());
        Assert.Contains("Nguyễn Văn An", output);
        Assert.Equal("IDVNM0990123459001099012345<<0", doc.RootElement.GetProperty("mrz")[0].GetString());
        Assert.Equal("invalid", doc.RootElement.GetProperty("passiveAuthentication").GetProperty("result").GetString()); // a dummy SOD
        Assert.Equal(ExitCodes.Degraded, code); // decoded, not verified

        var (text, textOut, _) = await Run("card", "inspect", dir.Path);
        Assert.Equal(ExitCodes.Degraded, text);
        Assert.Contains("fullName", textOut);

        Assert.Equal(ExitCodes.Usage, (await Run("card", "inspect")).Code);
        Assert.Equal(ExitCodes.Usage, (await Run("card", "inspect", dir.Path, "extra")).Code);
        Assert.Equal(ExitCodes.Degraded, (await Run("card", "inspect", Path.Combine(dir.Path, "nope"))).Code);
    }

    [Fact]
    public async Task Card_inspect_reports_a_broken_dg1_without_crashing()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(Path.Combine(dir.Path, "DG1"), [0x61, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]);
        File.WriteAllBytes(Path.Combine(dir.Path, "EF.SOD"), [0x77, 0x00]);
        var (code, _, err) = await Run("card", "inspect", dir.Path, "--json");
        Assert.Equal(ExitCodes.Degraded, code);
        Assert.Contains("cannot be decoded", err);
    }

    // ---------- exit codes: a failed chip or active authentication (a cloned chip) is exit 3 ----------

    /// <summary>
    /// A signed card as an issuer makes it: EF.COM, DG1, DG13, DG14 (AA info), DG15 (the chip's AA key), EF.SOD by a
    /// document signer of a CSCA written to <see cref="TrustFolder"/>. The chip's key is genuine until a test swaps it.
    /// </summary>
    private sealed class SignedCard : IDisposable
    {
        private readonly TempDir trust = new();
        public ECDsa ChipKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        public Dictionary<string, byte[]> Files { get; } = [];
        public string TrustFolder => trust.Path;

        public SignedCard(bool withDg15 = true)
        {
            using ECDsa cscaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var cscaRequest = new CertificateRequest("CN=CSCA Kioskctl Test, O=Kiosk, C=VN", cscaKey, HashAlgorithmName.SHA256);
            cscaRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            using X509Certificate2 csca = cscaRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-5), DateTimeOffset.UtcNow.AddYears(10));
            using ECDsa signerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using X509Certificate2 signer = new CertificateRequest("CN=Document Signer Kioskctl Test, O=Kiosk, C=VN", signerKey, HashAlgorithmName.SHA256)
                .Create(csca.SubjectName, X509SignatureGenerator.CreateForECDsa(cscaKey), DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(5), [0x01]);
            File.WriteAllBytes(Path.Combine(trust.Path, "csca.der"), csca.RawData);

            var groups = new Dictionary<int, byte[]> { [1] = TestCard.Dg1(), [13] = TestCard.SampleDg13() };
            if (withDg15)
            {
                // SecurityInfos { ActiveAuthenticationInfo { id-icao-mrtd-security-aaProtocolObject, 1, ecdsa-with-SHA256 } }
                groups[14] = Der.Tlv(0x6E, Der.Set(Der.Seq(Der.Hex("06 06 67 81 08 01 01 05"), Der.Int(1), Der.Hex("06 08 2A 86 48 CE 3D 04 03 02"))));
                groups[15] = Der.Tlv(0x6F, ChipKey.ExportSubjectPublicKeyInfo());
            }
            Files["EF.COM"] = Der.Tlv(0x60, Der.Tlv(0x5F01, "0107"u8.ToArray()), Der.Tlv(0x5F36, "040000"u8.ToArray()),
                Der.Tlv(0x5C, withDg15 ? [0x61, 0x6D, 0x6E, 0x6F] : [0x61, 0x6D]));
            foreach (var (number, bytes) in groups) Files["DG" + number] = bytes;
            Files["EF.SOD"] = Kiosk.Emrtd.Lds.SodWriter.Create(groups, signer.RawData, signerKey, HashAlgorithmName.SHA256);
        }

        public TestCard Chip()
        {
            var fids = new Dictionary<string, ushort> { ["EF.COM"] = 0x011E, ["EF.SOD"] = 0x011D, ["DG1"] = 0x0101, ["DG13"] = 0x010D, ["DG14"] = 0x010E, ["DG15"] = 0x010F };
            return new TestCard(Files.ToDictionary(pair => fids[pair.Key], pair => pair.Value)) { ActiveAuthenticationKey = ChipKey };
        }

        public void Dispose()
        {
            ChipKey.Dispose();
            trust.Dispose();
        }
    }

    [Fact]
    public async Task Card_read_of_a_cloned_chip_exits_3_although_its_data_is_validly_signed()
    {
        using var signed = new SignedCard();
        TestCard chip = signed.Chip();
        var (app, url, dir) = await StartHost(chip, signed.TrustFolder);
        try
        {
            var (code, output, _) = await Run("card", "read", "--host", url, "--json");
            using (var doc = JsonDocument.Parse(output))
            {
                Assert.Equal("valid", doc.RootElement.GetProperty("passiveAuthentication").GetProperty("result").GetString());
                Assert.Equal("passed", doc.RootElement.GetProperty("activeAuthentication").GetString());
                // No secure messaging on this test chip, so no chip authentication: not performed is no failure.
                Assert.Equal("not-performed", doc.RootElement.GetProperty("chipAuthentication").GetString());
            }
            Assert.Equal(CardExitCodes.Verified, code);

            // A clone: every file copied, but the chip cannot sign with the key DG15 publishes.
            using var cloneKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            chip.ActiveAuthenticationKey = cloneKey;
            var (cloneCode, cloneOutput, _) = await Run("card", "read", "--host", url, "--json");
            using (var doc = JsonDocument.Parse(cloneOutput))
            {
                Assert.Equal("valid", doc.RootElement.GetProperty("passiveAuthentication").GetProperty("result").GetString());
                Assert.Equal("failed", doc.RootElement.GetProperty("activeAuthentication").GetString());
            }
            Assert.Equal(CardExitCodes.ChipAuthenticationFailed, cloneCode);
            Assert.Equal(3, cloneCode); // documented in kioskctl's help and the host README

            var (textCode, textOutput, _) = await Run("card", "read", "--host", url);
            Assert.Equal(3, textCode);
            Assert.Contains("failed", textOutput);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            dir.Dispose();
        }
    }

    [Fact]
    public async Task Card_read_of_a_card_without_dg14_and_dg15_is_verified_on_passive_authentication_alone()
    {
        using var signed = new SignedCard(withDg15: false);
        var (app, url, dir) = await StartHost(signed.Chip(), signed.TrustFolder);
        try
        {
            var (code, output, _) = await Run("card", "read", "--host", url, "--json");
            using var doc = JsonDocument.Parse(output);
            Assert.Equal("not-supported", doc.RootElement.GetProperty("activeAuthentication").GetString());
            Assert.Equal("not-supported", doc.RootElement.GetProperty("chipAuthentication").GetString());
            Assert.Equal(ExitCodes.Ok, code);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            dir.Dispose();
        }
    }

    [Fact]
    public async Task Card_inspect_says_not_performed_for_the_chip_checks_and_exits_on_passive_authentication()
    {
        using var signed = new SignedCard();
        using var dump = new TempDir();
        foreach (var (name, bytes) in signed.Files) File.WriteAllBytes(Path.Combine(dump.Path, name), bytes);

        var (code, output, _) = await Run("card", "inspect", dump.Path, "--trust", signed.TrustFolder, "--json");
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal("valid", doc.RootElement.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.Empty(doc.RootElement.GetProperty("passiveAuthentication").GetProperty("notes").EnumerateArray());
            Assert.Equal("not-performed", doc.RootElement.GetProperty("chipAuthentication").GetString());
            Assert.Equal("not-performed", doc.RootElement.GetProperty("activeAuthentication").GetString());
        }
        Assert.Equal(ExitCodes.Ok, code);

        // Without the CSCA the same dump is untrusted: exit 1.
        Assert.Equal(ExitCodes.Degraded, (await Run("card", "inspect", dump.Path, "--json")).Code);

        // A master list that does not verify is ignored whole, and said so on stderr; the CSCA file still counts.
        File.WriteAllBytes(Path.Combine(signed.TrustFolder, "forged.ml"), Forged.MasterList());
        var (withList, _, listErr) = await Run("card", "inspect", dump.Path, "--trust", signed.TrustFolder);
        Assert.Equal(ExitCodes.Ok, withList);
        Assert.Contains("kioskctl: trust folder: master list forged.ml rejected", listErr);
    }

    [Theory]
    [InlineData("valid", "passed", "passed", 0)]
    [InlineData("valid", "not-supported", "not-supported", 0)]
    [InlineData("valid", "not-performed", "not-performed", 0)]
    [InlineData("untrusted", "passed", "passed", 1)]
    [InlineData("invalid", "not-performed", "not-performed", 1)]
    [InlineData("valid", "failed", "passed", 3)]
    [InlineData("valid", "passed", "failed", 3)]
    [InlineData("invalid", "failed", "not-supported", 3)]
    public void Exit_code_of_a_card_report(string passive, string chip, string active, int expected)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["passiveAuthentication"] = new Dictionary<string, string> { ["result"] = passive },
            ["chipAuthentication"] = chip,
            ["activeAuthentication"] = active,
        }));
        Assert.Equal(expected, CardExitCodes.Of(doc.RootElement));
    }

    /// <summary>A master list signed by a key of its own, vouched for by no CSCA: what an attacker could drop in the folder.</summary>
    private static class Forged
    {
        public static byte[] MasterList()
        {
            using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=Forged List Signer, C=XX", key, HashAlgorithmName.SHA256);
            using X509Certificate2 self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            byte[] content = Der.Seq(Der.Int(0), Der.Set(self.RawData));
            var cms = new System.Security.Cryptography.Pkcs.SignedCms(
                new System.Security.Cryptography.Pkcs.ContentInfo(new Oid("2.23.136.1.1.2"), content), detached: false);
            cms.ComputeSignature(new System.Security.Cryptography.Pkcs.CmsSigner(System.Security.Cryptography.Pkcs.SubjectIdentifierType.IssuerAndSerialNumber, self));
            return cms.Encode();
        }
    }
}
