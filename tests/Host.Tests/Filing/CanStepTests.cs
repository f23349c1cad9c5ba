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
/// dropped at the end; the same for the MRZ details typed instead (field checks, dates to YYMMDD, one shared count of
/// refusals). The card here stands in for a chip with access control: it answers 6982 without a key, 6300
/// to a wrong CAN or MRZ, and reads <see cref="TestCard"/> with the right one (PACE itself is tested byte-exact in Card/).
/// </summary>
public sealed class CanStepTests : IAsyncLifetime
{
    private const string RightCan = "012345";
    private readonly TempDir _dir = new();
    /// <summary>A signed card (no DG14/DG15): read against no trust store it is untrusted, which reaches the form (marked).</summary>
    private readonly SignedCard _signed = new(withDg15: false);
    private TestCard _card = null!;
    private FakeFirmwareLink _firmware = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private SessionManager _sessions = null!;
    /// <summary>The sample card's MRZ details as the reader gets them (document number, dates as YYMMDD).</summary>
    private const string RightMrz = "mrz:099012345/990315/390315";
    /// <summary>The keys the reader was given, in order: the CAN, "mrz:…" (<see cref="Describe"/>) or null for no key.</summary>
    private readonly List<string?> _keys = [];
    /// <summary>False: the chip reads in plain (no access control).</summary>
    private bool _accessControl = true;
    /// <summary>The next read fails as a card taken off mid-read.</summary>
    private volatile bool _removeDuringRead;

    public async Task InitializeAsync()
    {
        _card = _signed.Chip();
        _firmware = new FakeFirmwareLink(_card);
        _app = HostApp.Build([
            "--urls", "http://127.0.0.1:0", "--data", _dir.Path, "--mqtt", "false", "--device", "mcu-test",
            "--portal", $"http://127.0.0.1:{PortalServer.FreePort()}/", "--Logging:LogLevel:Default", "Warning",
        ], services => services.AddSingleton<IFirmwareLink>(_firmware));
        await _app.StartAsync();
        var url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
        _sessions = _app.Services.GetRequiredService<SessionManager>();
        _sessions.ReadCard = async (channel, key, today, _, ct) =>
        {
            var typed = Describe(key);
            lock (_keys) _keys.Add(typed);
            if (_removeDuringRead) { _removeDuringRead = false; throw new CardUnavailableException("card removed"); }
            if (_accessControl && typed is null) throw new CardStatusException("read", 0x6982);
            if (_accessControl && typed != RightCan && typed != RightMrz) throw new CardStatusException("access control", 0x6300);
            return new CardReadResult(await new CardReader(channel).ReadIdentityAsync(today, ct), null);
        };
    }

    private static string? Describe(TypedAccessKey? key) =>
        key is null ? null : key.Can ?? $"mrz:{key.DocumentNumber}/{key.DateOfBirth}/{key.DateOfExpiry}";

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
        _signed.Dispose();
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

    /// <summary>The form screen proper: the identity is shown once the fingerprint consent was answered.</summary>
    private async Task<JsonElement> FormIdentity() =>
        (await Post("/api/session/fingerprint-consent", new { accepted = false })).GetProperty("identity");

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
        Assert.Equal(RightCan, _sessions.Current!.AccessKey?.Can);

        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        var form = await WaitForStep("form");
        Assert.Equal(JsonValueKind.Null, form.GetProperty("identity").ValueKind); // the fingerprint consent screen shows none
        Assert.Equal("001099012345", (await FormIdentity()).GetProperty("idNumber").GetString());
        Assert.Equal([RightCan], _keys);
        Assert.Null(_sessions.Current!.AccessKey); // used once, then dropped
        Assert.False((await CardInfo()).GetProperty("canEntered").GetBoolean());

        // The session ends: nothing left.
        var session = _sessions.Current!;
        await Post("/api/session/end", new { });
        Assert.Null(session.AccessKey);
        Assert.Null(_sessions.Current);
        Assert.False((await CardInfo()).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Ending_the_session_drops_a_can_not_used_yet()
    {
        await StartAndConsent();
        await Post("/api/session/can", new { can = RightCan });
        var session = _sessions.Current!;
        Assert.Equal(RightCan, session.AccessKey?.Can);
        await Post("/api/session/end", new { });
        Assert.Null(session.AccessKey);
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
        await WaitForStep("form");
        Assert.Equal("Nguyễn Văn An", (await FormIdentity()).GetProperty("fullName").GetString());
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
        Assert.Null(_sessions.Current!.AccessKey);

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
        _sessions.ReadCard = async (channel, can, today, face, ct) =>
        {
            var result = await read(channel, can, today, face, ct);
            return result with
            {
                Identity = result.Identity with
                {
                    Verification = new CardVerification
                    {
                        Trust = CardTrust.Untrusted, Reasons = [CardTrustReason.PassiveAuthenticationUntrusted],
                        PassiveAuthentication = PassiveCheck.Untrusted, PassiveAuthenticationFailures = ["no CSCA in the trust store is named …"],
                        ChipAuthentication = ChipCheck.Passed, ActiveAuthentication = ChipCheck.NotPerformed,
                    },
                },
            };
        };
        await StartAndConsent();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("form");
        var verification = (await CardInfo()).GetProperty("verification");
        Assert.False(verification.GetProperty("verified").GetBoolean());
        Assert.Equal("untrusted", verification.GetProperty("passiveAuthentication").GetString());
        Assert.Equal("untrusted", verification.GetProperty("trust").GetString());
        Assert.True(verification.GetProperty("staffVerification").GetBoolean());
        Assert.False(verification.TryGetProperty("reasons", out _));
        Assert.False(verification.TryGetProperty("passiveAuthenticationFailures", out _));
    }

    [Fact]
    public async Task A_card_removed_during_the_read_is_the_read_error_and_the_can_stays_for_the_next_try()
    {
        await StartAndConsent();
        await Post("/api/session/can", new { can = RightCan });
        _removeDuringRead = true;
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("waitingCard", "card-unavailable");
        Assert.Equal(RightCan, _sessions.Current!.AccessKey?.Can);
        Assert.True((await CardInfo()).GetProperty("canEntered").GetBoolean());
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("form");
    }

    // ---------- the MRZ details instead of the CAN ----------

    [Theory]
    [InlineData("", "15/03/1999", "15/03/2039", "documentNumber", "err.mrz.documentNumber.required")]
    [InlineData("09901234", "15/03/1999", "15/03/2039", "documentNumber", "err.mrz.documentNumber.nineDigits")]
    [InlineData("0990123456", "15/03/1999", "15/03/2039", "documentNumber", "err.mrz.documentNumber.nineDigits")]
    [InlineData("09901234A", "15/03/1999", "15/03/2039", "documentNumber", "err.mrz.documentNumber.nineDigits")]
    [InlineData("099012345", "", "15/03/2039", "dateOfBirth", "err.dateOfBirth.required")]
    [InlineData("099012345", "31/02/1999", "15/03/2039", "dateOfBirth", "err.dateOfBirth.invalid")]
    [InlineData("099012345", "15/03/2999", "15/03/3039", "dateOfBirth", "err.dateOfBirth.invalid")] // not born yet
    [InlineData("099012345", "15/03/1999", "", "dateOfExpiry", "err.mrz.dateOfExpiry.required")]
    [InlineData("099012345", "15/03/1999", "15/13/2039", "dateOfExpiry", "err.mrz.dateOfExpiry.invalid")]
    [InlineData("099012345", "15/03/1999", "14/03/1999", "dateOfExpiry", "err.mrz.dateOfExpiry.beforeBirth")]
    [InlineData("099012345", "15/03/1999", "15/03/1999", "dateOfExpiry", "err.mrz.dateOfExpiry.beforeBirth")]
    public async Task The_mrz_details_are_checked_with_a_message_key_per_field(string documentNumber, string dateOfBirth, string dateOfExpiry,
        string field, string key)
    {
        await StartAndConsent();
        var bad = await Post("/api/session/mrz", new { documentNumber, dateOfBirth, dateOfExpiry }, HttpStatusCode.BadRequest);
        Assert.Equal("invalid-form", bad.GetProperty("error").GetString());
        var messages = bad.GetProperty("messages");
        Assert.Equal(key, messages.GetProperty(field).GetProperty("key").GetString());
        Assert.Equal(Messages.Text("vi", key), bad.GetProperty("errors").GetProperty(field).GetString());
        Assert.Equal(Messages.Text("en", key), bad.GetProperty("errorsEn").GetProperty(field).GetString());
        Assert.Single(messages.EnumerateObject()); // only the wrong field
        foreach (var typed in new[] { documentNumber, dateOfBirth, dateOfExpiry }.Where(t => t.Length > 0))
            Assert.DoesNotContain(typed, bad.ToString()); // what was typed is not echoed
        Assert.Equal("can", (await _http.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("step").GetString());
        Assert.Null(_sessions.Current!.AccessKey);
        Assert.Empty(_keys);
    }

    [Fact]
    public async Task Nothing_typed_gives_all_three_field_errors()
    {
        await StartAndConsent();
        var bad = await Post("/api/session/mrz", new { }, HttpStatusCode.BadRequest);
        var messages = bad.GetProperty("messages");
        Assert.Equal("err.mrz.documentNumber.required", messages.GetProperty("documentNumber").GetProperty("key").GetString());
        Assert.Equal("err.dateOfBirth.required", messages.GetProperty("dateOfBirth").GetProperty("key").GetString());
        Assert.Equal("err.mrz.dateOfExpiry.required", messages.GetProperty("dateOfExpiry").GetProperty("key").GetString());
    }

    [Theory]
    [InlineData("15/03/1999", "15/03/2039")]
    [InlineData("15.3.1999", "15-03-2039")]
    [InlineData("1999-03-15", "2039-03-15")]
    public void Typed_dates_become_the_chips_yymmdd(string dateOfBirth, string dateOfExpiry)
    {
        var (valid, errors) = MrzEntry.Validate(new MrzRequest(" 099012345 ", dateOfBirth, dateOfExpiry), new DateOnly(2026, 11, 27));
        Assert.Empty(errors);
        Assert.Equal(new MrzEntry.Valid("099012345", "990315", "390315"), valid);
        Assert.DoesNotContain("099012345", valid!.ToString());
    }

    [Fact]
    public async Task The_mrz_is_refused_outside_its_step()
    {
        var body = new { documentNumber = "099012345", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2039" };
        await Post("/api/session/mrz", body, HttpStatusCode.Conflict); // no session
        await Post("/api/session/start", new { language = "vi" });
        await Post("/api/session/mrz", body, HttpStatusCode.Conflict); // before the consent
        Assert.Empty(_keys);
    }

    [Fact]
    public async Task Mrz_then_card_reads_with_the_mrz_and_it_is_gone_after_the_read()
    {
        await StartAndConsent();
        var view = await Post("/api/session/mrz", new { documentNumber = "099012345", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2039" });
        Assert.Equal("waitingCard", view.GetProperty("step").GetString());
        Assert.DoesNotContain("099012345", view.ToString());
        Assert.True((await CardInfo()).GetProperty("canEntered").GetBoolean());

        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        var form = await WaitForStep("form");
        Assert.Equal(JsonValueKind.Null, form.GetProperty("identity").ValueKind); // the fingerprint consent screen shows none
        Assert.Equal("001099012345", (await FormIdentity()).GetProperty("idNumber").GetString());
        Assert.Equal([RightMrz], _keys);
        Assert.Null(_sessions.Current!.AccessKey);
    }

    [Fact]
    public async Task Ending_the_session_drops_mrz_details_not_used_yet()
    {
        await StartAndConsent();
        await Post("/api/session/mrz", new { documentNumber = "099012345", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2039" });
        var session = _sessions.Current!;
        Assert.True(session.AccessKey!.IsMrz);
        await Post("/api/session/end", new { });
        Assert.Null(session.AccessKey);
        Assert.Empty(_keys);
    }

    [Fact]
    public async Task A_refused_mrz_is_mrz_wrong_and_counts_with_wrong_cans_towards_the_lock()
    {
        await StartAndConsent();
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("can", "can-required");
        await Post("/api/session/mrz", new { documentNumber = "099012345", dateOfBirth = "16/03/1999", dateOfExpiry = "15/03/2039" });
        await WaitForStep("can", "mrz-wrong");
        var info = await CardInfo();
        Assert.Equal(2, info.GetProperty("canAttemptsLeft").GetInt32());
        Assert.False(info.GetProperty("canEntered").GetBoolean()); // the refused details are dropped
        Assert.Null(_sessions.Current!.AccessKey);

        await Post("/api/session/can", new { can = "999999" });
        await WaitForStep("can", "can-wrong");
        await Post("/api/session/mrz", new { documentNumber = "099012346", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2039" });
        await WaitForStep("can", "can-locked");
        Assert.Equal(0, (await CardInfo()).GetProperty("canAttemptsLeft").GetInt32());
        await Post("/api/session/mrz", new { documentNumber = "099012345", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2039" }, HttpStatusCode.Conflict);
        Assert.Equal([null, "mrz:099012345/990316/390315", "999999", "mrz:099012346/990315/390315"], _keys);
    }

    [Fact]
    public async Task After_a_refused_mrz_the_right_one_reads_the_card()
    {
        await StartAndConsent();
        await Post("/api/session/mrz", new { documentNumber = "099012345", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2040" });
        _firmware.Raise(new DeviceEvent.CardPlaced("iso14443-4a"));
        await WaitForStep("can", "mrz-wrong");
        await Post("/api/session/mrz", new { documentNumber = "099012345", dateOfBirth = "15/03/1999", dateOfExpiry = "15/03/2039" });
        await WaitForStep("form");
        Assert.Equal(["mrz:099012345/990315/400315", RightMrz], _keys);
    }
}
