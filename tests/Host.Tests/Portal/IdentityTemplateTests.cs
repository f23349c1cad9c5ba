using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.Host.Sync;
using Kiosk.Host.Tests.Support;
using Kiosk.Simulators.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiosk.Host.Tests.Portal;

/// <summary>The portal simulator's identity-verification template API over mutual TLS, with its log captured.</summary>
public sealed class IdentityTemplateTests : IAsyncLifetime
{
    private const string KioskId = "kiosk-test-01";
    private const string Known = "001085012345";      // the card simulator's "nguyen-van-an" (synthetic)
    private const string Extra = "036190001234";      // added with --people
    private const string Unknown = "001199999999";
    private readonly TempDir _portalDir = new();
    private readonly CapturingLogs _logs = new();
    private PortalServer _portal = null!;
    private Uri _plain = null!;
    private Uri _tls = null!;
    private string Pki => Path.Combine(_portalDir.Path, "pki");

    public async Task InitializeAsync()
    {
        _portal = await PortalServer.StartWithMutualTlsAsync(_portalDir.Path, ["--kiosks", KioskId, "--people", Extra, "--Logging:LogLevel:Default", "Debug"],
            services => services.AddSingleton<ILoggerProvider>(_logs));
        _plain = _portal.BaseAddress;
        _tls = _portal.MutualTlsAddress!;
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _portalDir.Dispose();
    }

    private HttpClient Kiosk() => new(PortalTls.CreateHandler(Path.Combine(Pki, "ca.crt"), Path.Combine(Pki, KioskId + ".crt"), Path.Combine(Pki, KioskId + ".key")))
        { BaseAddress = _tls, Timeout = TimeSpan.FromSeconds(10) };

    private static Task<HttpResponseMessage> Ask(HttpClient http, string idNumber, string purpose = "fingerprint-match") =>
        http.PostAsJsonAsync("api/identity/verification-template", new { idNumber, purpose });

    [Fact]
    public async Task A_known_person_gets_a_short_lived_512_byte_synthetic_template_the_same_each_time()
    {
        using var http = Kiosk();
        var before = DateTimeOffset.UtcNow;
        using var first = await Ask(http, Known);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.CacheControl?.NoStore);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(Guid.TryParse(a.GetProperty("templateId").GetString(), out _));
        Assert.Equal("iso-19794-2", a.GetProperty("format").GetString());
        Assert.Equal("right-index", a.GetProperty("finger").GetString());
        var template = Convert.FromBase64String(a.GetProperty("template").GetString()!);
        Assert.Equal(512, template.Length);
        var expires = DateTimeOffset.Parse(a.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, before.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(1));

        // Deterministic per person, different between people, a new template id each time.
        var again = await (await Ask(http, Known)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("template").GetString(), again.GetProperty("template").GetString());
        Assert.NotEqual(a.GetProperty("templateId").GetString(), again.GetProperty("templateId").GetString());
        using var extra = await Ask(http, Extra);
        Assert.Equal(HttpStatusCode.OK, extra.StatusCode);
        Assert.NotEqual(a.GetProperty("template").GetString(), (await extra.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("template").GetString());
    }

    [Fact]
    public async Task An_unknown_person_is_404_and_a_malformed_request_is_400()
    {
        using var http = Kiosk();
        using (var r = await Ask(http, Unknown)) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        foreach (var bad in new[] { "00108501234", "0010850123456", "00108501234x", "", "００１０８５０１２３４５" })
            using (var r = await Ask(http, bad)) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await Ask(http, Known, "marketing")) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await http.PostAsync("api/identity/verification-template", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await http.PostAsJsonAsync("api/identity/verification-template", new { idNumber = 1085012345L, purpose = "fingerprint-match" }))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    [Fact]
    public async Task Without_a_client_certificate_it_is_refused()
    {
        // Over TLS without a certificate the handshake fails; over the plain listener the answer is 403.
        using var noCert = new HttpClient(PortalTls.CreateHandler(Path.Combine(Pki, "ca.crt"), null, null)) { BaseAddress = _tls, Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Ask(noCert, Known));
        using var plain = new HttpClient { BaseAddress = _plain };
        using var r = await Ask(plain, Known);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.DoesNotContain("template\"", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_ID_number_never_appears_in_the_log()
    {
        using var http = Kiosk();
        foreach (var id in new[] { Known, Unknown, Extra, Known[..11] })
            (await Ask(http, id)).Dispose();
        using var plain = new HttpClient { BaseAddress = _plain };
        (await Ask(plain, Known)).Dispose();
        var lines = _logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("issued to " + KioskId, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("not known", StringComparison.Ordinal));
        foreach (var id in new[] { Known, Unknown, Extra, Known[..11] })
            Assert.DoesNotContain(lines, l => l.Contains(id, StringComparison.Ordinal));
        // The same person gets the same log reference (correlation without the number).
        var refs = lines.Where(l => l.Contains("issued to", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(' ') + 1)..]).ToList();
        Assert.Equal(2, refs.Distinct().Count());
    }

    /// <summary>Every log line of the simulator: the formatted message and each structured value.</summary>
    private sealed class CapturingLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(CapturingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> kv ? string.Join(" ", kv.Select(p => $"{p.Key}={p.Value}")) : "";
                owner.Lines.Enqueue($"{category} [{values}] {exception} {formatter(state, exception)}"); // the message last
            }
        }
    }
}
