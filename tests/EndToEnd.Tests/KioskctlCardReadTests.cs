using System.Text.Json;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// <c>kioskctl card read</c> through the whole chain (kioskctl → host → broker → firmware → virtual PN532 → virtual
/// CCCD) with the virtual card's faults: its exit code tells a technician's script a genuine card (0) from data that
/// does not verify (1) and from a cloned chip (3), whose data verifies but whose chip cannot prove its keys.
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

    private async Task<JsonElement> ReadAsync(string fault, string can, int expectedExitCode)
    {
        await kiosk.RemoveCardAsync();
        // The swap must be seen as a removal first, or the read would start on the old placement and meet the new card.
        await SimulatedKiosk.WaitUntilAsync(async () =>
            !(await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the firmware to report the card removed");
        await kiosk.PlaceCardAsync(Profile, fault);
        await SimulatedKiosk.WaitUntilAsync(async () =>
            (await kiosk.GetJsonAsync(kiosk.Ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean(),
            TimeSpan.FromSeconds(15), "the firmware to report the card");
        var (exitCode, text) = await kiosk.RunKioskctlAsync("card", "read", "--host", kiosk.Ports.HostUrl, "--can", can, "--json");
        string json = text.Split('\n').FirstOrDefault(line => line.StartsWith('{')) ?? throw new Xunit.Sdk.XunitException($"no JSON from kioskctl ({fault}): {text}");
        Assert.True(exitCode == expectedExitCode, $"{fault}: exit {exitCode}, expected {expectedExitCode}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }
}
