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

    private static async Task<(WebApplication App, string Url, TempDir Dir)> StartHost(TestCard card)
    {
        var dir = new TempDir();
        var app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", dir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", "http://127.0.0.1:9", "--Logging:LogLevel:Default", "Warning",
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
}
