using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Filing;
using Kiosk.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Host.Tests.Filing;

/// <summary>
/// The CAN step of the session API (the chip's PACE needs the last 6 digits of the 12-digit ID number): validation,
/// the read with the CAN, wrong CAN → asked again, at most <see cref="SessionManager.MaxCanAttempts"/> tries, the CAN
/// dropped at the end. The card here stands in for a chip with access control: it answers 6982 without a key, 6300
/// to a wrong CAN, and reads <see cref="TestCard"/> with the right one (PACE itself is tested byte-exact in Card/).
/// </summary>
public sealed class CanStepTests : IAsyncLifetime
{
    private const string RightCan = "012345";
    private readonly TempDir _dir = new();
    private readonly TestCard _card = TestCard.Sample();
    private FakeFirmwareLink _firmware = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private SessionManager _sessions = null!;
    /// <summary>The CANs the reader was given (null: no key), in order.</summary>
    private readonly List<string?> _keys = [];
    /// <summary>False: the chip reads in plain (no access control).</summary>
    private bool _accessControl = true;
    /// <summary>The next read fails as a card taken off mid-read.</summary>
    private volatile bool _removeDuringRead;

    public async Task InitializeAsync()
    {
        _firmware = new FakeFirmwareLink(_card);
        _app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", _dir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", $"http://127.0.0.1:{PortalServer.FreePort()}/", "--Logging:LogLevel:Default", "Warning",
        ], services => services.AddSingleton<IFirmwareLink>(_firmware));
        await _app.StartAsync();
        var url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
        _sessions = _app.Services.GetRequiredService<SessionManager>();
        _sessions.ReadCard = async (channel, can, today, ct) =>
        {
            lock (_keys) _keys.Add(can);
            if (_removeDuringRead) { _removeDuringRead = false; throw new CardUnavailableException("card removed"); }
            if (_accessControl && can is null) throw new CardStatusException("read", 0x6982);
            if (_accessControl && can != RightCan) throw new CardStatusException("access control", 0x6300);
            return new CardReadResult(await new CardReader(channel).ReadIdentityAsync(today, ct), null);
        };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<JsonElement> Post(string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> WaitFor(Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var s = await _http.GetFromJsonAsync<JsonElement>("/api/session");
            if (done(s)) return s;
            Assert.True(DateTime.UtcNow < deadline, "timed out; last view: " + s);
            await Task.Delay(30);
        }
    }

    private Task<JsonElement> WaitForStep(string step, string? readError = null) => WaitFor(s =>
        s.GetProperty("step").GetString() == step
        && (readError is null || s.GetProperty("readError").ValueKind == JsonValueKind.String && s.GetProperty("readError").GetString() == readError));

    private async Task StartAndConsent()
    {
        await Post("/api/session/start", new { language = "vi" });
        var consent = await Post("/api/session/consent", new { accepted = true });
        Assert.Equal("can", consent.GetProperty("step").GetString());
    }

    private Task<JsonElement> CardInfo() => _http.GetFromJsonAsync<JsonElement>("/api/session/card");

    [Theory]
    [InlineData("", "err.can.required")]
    [InlineData("12345", "err.can.sixDigits")]
    [InlineData("1234567", "err.can.sixDigits")]
    [InlineData("12a456", "err.can.sixDigits")]
    [InlineData("１２３４５６", "err.can.sixDigits")] // full-width digits are not ASCII digits
    public async Task The_can_is_six_digits_with_a_message_key_per_field(string can, string key)
    {
        await StartAndConsent();
        var bad = await Post("/api/session/can", new { can }, HttpStatusCode.BadRequest);
        Assert.Equal("invalid-form", bad.GetProperty("error").GetString());
        Assert.Equal(key, bad.GetProperty("messages").GetProperty("can").GetProperty("key").GetString());
        Assert.Equal(Messages.Text("vi", key), bad.GetProperty("errors").GetProperty("can").GetString());
        Assert.Equal(Messages.Text("en", key), bad.GetProperty("errorsEn").GetProperty("can").GetString());
        Assert.Equal("can", (await _http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("step").GetString());
        if (can.Length > 0) Assert.DoesNotContain(can, bad.ToString()); // what was typed is not echoed
    }

    [Fact]
    public async Task The_can_is_refused_outside_its_step()
    {
        await Post("/api/session/can", new { can = RightCan }, HttpStatusCode.Conflict); // no session
        await Post("/api/session/start", new { language = "vi" });
        await Post("/api/session/can", new { can = RightCan }, HttpStatusCode.Conflict); // before the consent
    }

    [Fact]
    public async Task Can_then_card_reads_with_the_can_and_the_can_is_gone_after_the_read_and_at_the_end()
    {
        await StartAndConsent();
        var view = await Post("/api/session/can", new { can = RightCan });
        Assert.Equal("waitingCard", view.GetProperty("step").GetString());
        Assert.DoesNotContain(RightCan, view.ToString());
        Assert.True((await CardInfo()).GetProperty("canEntered").GetBoolean());
        Assert.Equal(RightCan, _sessions.Current!.Can);

        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        var form = await WaitForStep("form");
        Assert.Equal("001099012345", form.GetProperty("identity").GetProperty("idNumber").GetString());
        Assert.Equal([RightCan], _keys);
        Assert.Null(_sessions.Current!.Can); // used once, then dropped
        Assert.False((await CardInfo()).GetProperty("canEntered").GetBoolean());

        // The session ends: nothing left.
        var session = _sessions.Current!;
        await Post("/api/session/end", new { });
        Assert.Null(session.Can);
        Assert.Null(_sessions.Current);
        Assert.False((await CardInfo()).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Ending_the_session_drops_a_can_not_used_yet()
    {
        await StartAndConsent();
        await Post("/api/session/can", new { can = RightCan });
        var session = _sessions.Current!;
        Assert.Equal(RightCan, session.Can);
        await Post("/api/session/end", new { });
        Assert.Null(session.Can);
        Assert.Empty(_keys);
    }

    [Fact]
    public async Task A_card_placed_before_the_can_needs_it_6982_and_is_read_once_the_can_is_typed()
    {
        await StartAndConsent();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("can", "can-required");
        Assert.Equal([(string?)null], _keys);
        await Post("/api/session/can", new { can = RightCan });
        await WaitForStep("form");
        Assert.Equal([null, RightCan], _keys);
    }

    [Fact]
    public async Task A_card_without_access_control_placed_in_the_can_step_is_read_without_the_can()
    {
        _accessControl = false;
        await StartAndConsent();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        var form = await WaitForStep("form");
        Assert.Equal("Nguyễn Văn An", form.GetProperty("identity").GetProperty("fullName").GetString());
        Assert.Equal([(string?)null], _keys);
    }

    [Fact]
    public async Task A_wrong_can_asks_again_and_the_right_one_reads()
    {
        await StartAndConsent();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("can", "can-required");
        await Post("/api/session/can", new { can = "999999" });
        await WaitForStep("can", "can-wrong");
        var info = await CardInfo();
        Assert.Equal(2, info.GetProperty("canAttemptsLeft").GetInt32());
        Assert.False(info.GetProperty("canEntered").GetBoolean()); // the refused CAN is dropped
        Assert.Null(_sessions.Current!.Can);

        await Post("/api/session/can", new { can = RightCan });
        var form = await WaitForStep("form");
        Assert.Equal(JsonValueKind.Null, form.GetProperty("readError").ValueKind);
        Assert.Equal([null, "999999", RightCan], _keys);
    }

    [Fact]
    public async Task Three_wrong_cans_stop_the_tries_and_send_the_resident_to_staff()
    {
        await StartAndConsent();
        await Post("/api/session/can", new { can = "111111" });
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("can", "can-wrong");
        await Post("/api/session/can", new { can = "222222" });
        await WaitForStep("can", "can-wrong");
        Assert.Equal(1, (await CardInfo()).GetProperty("canAttemptsLeft").GetInt32());
        await Post("/api/session/can", new { can = "333333" });
        await WaitForStep("can", "can-locked");
        Assert.Equal(0, (await CardInfo()).GetProperty("canAttemptsLeft").GetInt32());

        // No fourth try: the CAN is refused, and placing the card again does not read it.
        var refused = await Post("/api/session/can", new { can = RightCan }, HttpStatusCode.Conflict);
        Assert.Equal("conflict", refused.GetProperty("error").GetString());
        _firmware.Raise(new DeviceEvent.CardRemoved());
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await Task.Delay(200);
        Assert.Equal(["111111", "222222", "333333"], _keys);
        Assert.Equal("can", (await _http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("step").GetString());

        // A new session starts counting again.
        _firmware.Raise(new DeviceEvent.CardRemoved());
        await StartAndConsent();
        Assert.Equal(3, (await CardInfo()).GetProperty("canAttemptsLeft").GetInt32());
    }

    [Fact]
    public async Task The_chips_verification_is_reported_without_personal_data_and_does_not_block_the_form()
    {
        _accessControl = false;
        var read = _sessions.ReadCard;
        _sessions.ReadCard = async (channel, can, today, ct) =>
        {
            var result = await read(channel, can, today, ct);
            return result with
            {
                Identity = result.Identity with
                {
                    Verification = new CardVerification(false, "untrusted", "passed", "not-performed", ["the CSCA is not in the trust store"]),
                },
            };
        };
        await StartAndConsent();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("form");
        var verification = (await CardInfo()).GetProperty("verification");
        Assert.False(verification.GetProperty("verified").GetBoolean());
        Assert.Equal("untrusted", verification.GetProperty("passiveAuthentication").GetString());
        Assert.False(verification.TryGetProperty("reasons", out _));
    }

    [Fact]
    public async Task A_card_removed_during_the_read_is_the_read_error_and_the_can_stays_for_the_next_try()
    {
        await StartAndConsent();
        await Post("/api/session/can", new { can = RightCan });
        _removeDuringRead = true;
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("waitingCard", "card-unavailable");
        Assert.Equal(RightCan, _sessions.Current!.Can);
        Assert.True((await CardInfo()).GetProperty("canEntered").GetBoolean());
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("form");
    }
}
