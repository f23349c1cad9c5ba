using System.Text.Json;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// <c>kioskctl card read</c> through the whole chain (kioskctl → host → broker → firmware → virtual PN532 → virtual
/// CCCD) with the virtual card's faults: its exit code tells a technician's script a genuine card (0) from data that
/// does not verify (1) and from a cloned chip (3), whose data verifies but whose chip cannot prove its keys, or hides
/// the DG14 and DG15 its SOD lists. A BAC-only chip opens with the MRZ, the application selected before BAC.
/// </summary>
public sealed class KioskctlCardReadTests(SimulatedKiosk kiosk, ITestOutputHelper output) : IClassFixture<SimulatedKiosk>
{
    private const string Profile = "nguyen-van-an";

    [Fact]
    public async Task Exit_code_is_0_for_a_genuine_card_3_for_a_cloned_chip_and_1_for_an_expired_document_signer()
    {
        try
        {
            string can = await kiosk.CanOfAsync(Profile);

            JsonElement genuine = await ReadAsync("none", can, expectedExitCode: 0);
            Assert.Equal("valid", genuine.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.Equal("passed", genuine.GetProperty("chipAuthentication").GetString());
            Assert.Equal("passed", genuine.GetProperty("activeAuthentication").GetString());

            // Genuine files and SOD, other private keys: passive authentication cannot see it, the chip's checks do.
            JsonElement clone = await ReadAsync("cloned-chip", can, expectedExitCode: 3);
            Assert.Equal("valid", clone.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.Equal("failed", clone.GetProperty("chipAuthentication").GetString());
            Assert.Equal("failed", clone.GetProperty("activeAuthentication").GetString());

            // The card's SOD was signed today by a document signer whose certificate expired yesterday: a signer used
            // outside its validity is untrusted (a certificate that merely expired since it signed would be valid).
            JsonElement expired = await ReadAsync("expired-document-signer", can, expectedExitCode: 1);
            JsonElement passive = expired.GetProperty("passiveAuthentication");
            Assert.Equal("untrusted", passive.GetProperty("result").GetString());
            Assert.Contains(passive.GetProperty("failures").EnumerateArray(), f => f.GetString()!.Contains("at the SOD's signing time", StringComparison.Ordinal));
            Assert.Equal("passed", expired.GetProperty("chipAuthentication").GetString());
            Assert.Equal("untrusted", expired.GetProperty("verification").GetProperty("trust").GetString());

            // Tampered data: refused, not a clone (exit 1); a CSCA this kiosk does not hold: untrusted (exit 1).
            JsonElement tampered = await ReadAsync("tampered-dg13", can, expectedExitCode: 1);
            Assert.Equal("refused", tampered.GetProperty("verification").GetProperty("trust").GetString());
            JsonElement unknown = await ReadAsync("unknown-csca", can, expectedExitCode: 1);
            Assert.Equal("untrusted", unknown.GetProperty("verification").GetProperty("trust").GetString());
        }
        catch
        {
            output.WriteLine(kiosk.Logs());
            throw;
        }
        finally
        {
            await kiosk.RemoveCardAsync();
        }
    }

    /// <summary>
    /// Clones that hide DG14 and DG15: the SOD (genuine, validly signed) lists them, so the read asks for them whatever
    /// EF.COM says, and a chip that does not return them is not verified (exit 3), never "not supported".
    /// </summary>
    [Theory]
    [InlineData("clone-com-without-dg14-dg15")]
    [InlineData("clone-dg14-dg15-6a82")]
    public async Task A_clone_hiding_the_dg14_and_dg15_its_sod_lists_exits_3(string fault)
    {
        try
        {
            string can = await kiosk.CanOfAsync(Profile);
            JsonElement clone = await ReadAsync(fault, can, expectedExitCode: 3);
            Assert.Equal("valid", clone.GetProperty("passiveAuthentication").GetProperty("result").GetString());
            Assert.Equal("not-read", clone.GetProperty("chipAuthentication").GetString());
            Assert.Equal("not-read", clone.GetProperty("activeAuthentication").GetString());
            Assert.Equal("SW 6A82", clone.GetProperty("notReturned").GetProperty("DG14").GetString());
            Assert.Equal("SW 6A82", clone.GetProperty("notReturned").GetProperty("DG15").GetString());
            var verification = clone.GetProperty("verification");
            Assert.Equal("refused", verification.GetProperty("trust").GetString());
            Assert.Equal([1, 2, 13, 14, 15], verification.GetProperty("dataGroupsListed").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Contains(verification.GetProperty("reasons").EnumerateArray(), r => r.GetString() == "listed-file-not-returned");

            // The text output says so too.
            var (code, text) = await kiosk.RunKioskctlAsync("card", "read", "--host", kiosk.Ports.HostUrl, "--can", can);
            Assert.Equal(3, code);
            Assert.Contains("refused", text);
            Assert.Contains("DG14, DG15", text);
        }
        catch
        {
            output.WriteLine(kiosk.Logs());
            throw;
        }
        finally
        {
            await kiosk.RemoveCardAsync();
        }
    }

    /// <summary>
    /// A chip that offers BAC inside the eMRTD application only (GET CHALLENGE refused at the MF): the host selects the
    /// application first and then runs BAC, as ICAO 9303-11 orders, and the card reads verified with the MRZ.
    /// </summary>
    [Fact]
    public async Task A_bac_only_chip_is_read_with_the_mrz_and_verified()
    {
        try
        {
            var profiles = await kiosk.GetJsonAsync(kiosk.Ports.ControlUrl + "/api/profiles");
            var profile = Kiosk.Simulators.VirtualCard.Profiles.PersonProfileStore.Parse(
                profiles.EnumerateArray().Single(p => p.GetProperty("id").GetString() == Profile).GetRawText(), Profile);
            string mrz = Kiosk.Simulators.VirtualCard.Lds.MrzTd1.Text(profile);
            JsonElement bac = await ReadAsync("none", null, expectedExitCode: 0, accessControl: "bac", mrz: mrz);
            Assert.Equal("verified", bac.GetProperty("verification").GetProperty("trust").GetString());
            Assert.Equal("passed", bac.GetProperty("chipAuthentication").GetString());
            Assert.Equal("passed", bac.GetProperty("activeAuthentication").GetString());
            Assert.Equal("001085012345", bac.GetProperty("idNumber").GetString());
        }
        catch
        {
            output.WriteLine(kiosk.Logs());
            throw;
        }
        finally
        {
            await kiosk.RemoveCardAsync();
        }
    }

    private async Task<JsonElement> ReadAsync(string fault, string? can, int expectedExitCode, string accessControl = "pace", string? mrz = null)
    {
        await kiosk.RemoveCardAsync();
        // The swap must be seen as a removal first, or the read would start on the old placement and meet the new card.
        await SimulatedKiosk.WaitUntilAsync(async () =>
            !(await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the firmware to report the card removed");
        await kiosk.PlaceCardAsync(Profile, fault, accessControl);
        await SimulatedKiosk.WaitUntilAsync(async () =>
            (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the firmware to report the card");
        var (exitCode, text) = await kiosk.RunKioskctlAsync("card", "read", "--host", kiosk.Ports.HostUrl, can is null ? "--mrz" : "--can", can ?? mrz!, "--json");
        string json = text.Split('\n').FirstOrDefault(line => line.StartsWith('{')) ?? throw new Xunit.Sdk.XunitException($"no JSON from kioskctl ({fault}): {text}");
        Assert.True(exitCode == expectedExitCode, $"{fault}: exit {exitCode}, expected {expectedExitCode}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
