using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Kiosk.Ctl;
using Kiosk.Host.Card;
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
            // The test card has no EF.SOD: nothing to verify against, so the policy refuses it.
            Assert.Equal("invalid", r.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.Equal("refused", r.GetProperty("verification").GetProperty("trust").GetString());
            Assert.Equal("security-object-missing", Assert.Single(r.GetProperty("verification").GetProperty("reasons").EnumerateArray()).GetString());
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
                // This chip's (signed) DG14 holds active-authentication info only: it offers no chip authentication.
                Assert.Equal("not-supported", doc.RootElement.GetProperty("chipAuthentication").GetString());
                var verification = doc.RootElement.GetProperty("verification");
                Assert.Equal("verified", verification.GetProperty("trust").GetString());
                Assert.Equal("SHA-256", verification.GetProperty("sodDigestAlgorithm").GetString());
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(signed.Files["EF.SOD"])), verification.GetProperty("sodSha256").GetString());
                Assert.Equal(SignedCard.CscaName, verification.GetProperty("documentSignerIssuer").GetString());
                Assert.Equal(SignedCard.SignerSerialNumber, verification.GetProperty("documentSignerSerialNumber").GetString());
                Assert.Equal("not-required", verification.GetProperty("fingerprint").GetString());
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

    /// <summary>
    /// The SOD's hash list, not EF.COM, says what must be read: a chip whose SOD lists DG14 and DG15 but that does not
    /// return them (or an EF.COM that leaves them out) is a possible clone, never "not supported".
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Card_read_of_a_chip_that_withholds_the_dg14_and_dg15_its_sod_lists_exits_3(bool comLeavesThemOut)
    {
        using var signed = new SignedCard();
        if (comLeavesThemOut)
            signed.Files["EF.COM"] = Der.Tlv(0x60, Der.Tlv(0x5F01, "0107"u8.ToArray()), Der.Tlv(0x5F36, "040000"u8.ToArray()), Der.Tlv(0x5C, [0x61, 0x6D]));
        TestCard chip = signed.Chip("DG14", "DG15");
        var (app, url, dir) = await StartHost(chip, signed.TrustFolder);
        try
        {
            var (code, output, _) = await Run("card", "read", "--host", url, "--json");
            using var doc = JsonDocument.Parse(output);
            JsonElement r = doc.RootElement;
            Assert.Equal("valid", r.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.Equal("not-read", r.GetProperty("chipAuthentication").GetString());
            Assert.Equal("not-read", r.GetProperty("activeAuthentication").GetString());
            Assert.Equal("SW 6A82", r.GetProperty("notReturned").GetProperty("DG14").GetString());
            var verification = r.GetProperty("verification");
            Assert.Equal("refused", verification.GetProperty("trust").GetString());
            Assert.Equal([14, 15], verification.GetProperty("dataGroupsNotReturned").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(["listed-file-not-returned", "chip-authentication-not-completed", "active-authentication-not-completed"],
                verification.GetProperty("reasons").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(CardExitCodes.ChipAuthenticationFailed, code);
            // The SOD decided what to read: EF.COM was not even asked for.
            Assert.DoesNotContain(chip.Commands, c => Convert.ToHexString(c) is "00B09E00DF" or "00A4020C02011E");
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
            Assert.Equal("not-supported", doc.RootElement.GetProperty("chipAuthentication").GetString()); // DG14: AA info only
            Assert.Equal("not-performed", doc.RootElement.GetProperty("activeAuthentication").GetString());
            Assert.Equal("chip-not-present", Assert.Single(doc.RootElement.GetProperty("verification").GetProperty("reasons").EnumerateArray()).GetString());
        }
        // The data verifies, but the SOD lists DG15: only the chip can prove it is not a clone.
        Assert.Equal(CardExitCodes.ChipNotPresent, code);

        // A dump of a card without DG14/DG15 is verified on passive authentication alone.
        using (var plain = new SignedCard(withDg15: false))
        using (var plainDump = new TempDir())
        {
            foreach (var (name, bytes) in plain.Files) File.WriteAllBytes(Path.Combine(plainDump.Path, name), bytes);
            Assert.Equal(ExitCodes.Ok, (await Run("card", "inspect", plainDump.Path, "--trust", plain.TrustFolder, "--json")).Code);
        }

        // Without the CSCA the same dump is untrusted: exit 1.
        Assert.Equal(ExitCodes.Degraded, (await Run("card", "inspect", dump.Path, "--json")).Code);

        // A master list that does not verify is ignored whole, and said so on stderr; the CSCA file still counts.
        File.WriteAllBytes(Path.Combine(signed.TrustFolder, "forged.ml"), Forged.MasterList());
        var (withList, _, listErr) = await Run("card", "inspect", dump.Path, "--trust", signed.TrustFolder);
        Assert.Equal(CardExitCodes.ChipNotPresent, withList);
        Assert.Contains("kioskctl: trust folder: master list forged.ml rejected", listErr);
    }

    [Theory]
    [InlineData(CardTrust.Verified, new CardTrustReason[0], 0)]
    [InlineData(CardTrust.Untrusted, new[] { CardTrustReason.PassiveAuthenticationUntrusted }, 1)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.PassiveAuthenticationInvalid }, 1)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.SecurityObjectMissing }, 1)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.ChipAuthenticationFailed }, 3)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.PassiveAuthenticationInvalid, CardTrustReason.ActiveAuthenticationFailed }, 3)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.ListedFileNotReturned, CardTrustReason.ChipAuthenticationNotCompleted }, 3)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.ChipNotPresent }, 4)]
    [InlineData(CardTrust.Refused, new[] { CardTrustReason.PassiveAuthenticationUntrusted, CardTrustReason.ChipNotPresent }, 1)]
    public void Exit_code_of_a_card_report(CardTrust trust, CardTrustReason[] reasons, int expected)
    {
        var verification = new CardVerification
        {
            Trust = trust, Reasons = reasons, PassiveAuthentication = PassiveCheck.Valid,
            ChipAuthentication = ChipCheck.Passed, ActiveAuthentication = ChipCheck.Passed,
        };
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, object> { ["verification"] = verification }, CardEndpoints.ReportJson));
        Assert.Equal(expected, CardExitCodes.Of(doc.RootElement));
        // A report without a verification record (an older host) is never taken as verified.
        using var old = JsonDocument.Parse(@"{""passiveAuthentication"":{""result"":""valid""}}");
        Assert.Equal(CardExitCodes.NotVerified, CardExitCodes.Of(old.RootElement));
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
