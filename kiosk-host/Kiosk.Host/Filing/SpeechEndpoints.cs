using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kiosk.Host.Filing;

/// <summary>
/// Spoken guidance: <c>GET /api/speech/{lang}/{key}</c> speaks one prompt of the page's resource file
/// (<c>wwwroot/i18n/{lang}.json</c>) with espeak-ng (Vietnamese voice <c>vi</c>), generated on demand and cached as WAV
/// under <c>DATA/speech/</c>. Only the fixed prompts are spoken, never personal data.
/// </summary>
public static partial class SpeechEndpoints
{
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9.\-]{0,40}$")]
    private static partial Regex KeyRegex();

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new();

    public static string Espeak { get; set; } = "/usr/bin/espeak-ng";

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/speech/{lang}/{key}", async (string lang, string key, HostOptions options, IWebHostEnvironment env, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (lang is not ("vi" or "en") || !KeyRegex().IsMatch(key)) return Results.NotFound();
            var text = await PromptAsync(Path.Combine(env.WebRootPath, "i18n", lang + ".json"), key, ct);
            if (text is null) return Results.NotFound();
            if (!File.Exists(Espeak)) return Results.Json(new { error = "speech-unavailable" }, statusCode: 404);
            var folder = Path.Combine(options.Data, "speech");
            Directory.CreateDirectory(folder);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(lang + "\n" + text)))[..16].ToLowerInvariant();
            var file = Path.Combine(folder, $"{lang}-{hash}.wav");
            var gate = Locks.GetOrAdd(file, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(ct);
            try
            {
                if (!File.Exists(file) && !await SynthesizeAsync(lang, text, file, ct))
                {
                    logs.CreateLogger("Kiosk.Host.Speech").LogWarning("espeak-ng failed for prompt {Key}", key);
                    return Results.Json(new { error = "speech-failed" }, statusCode: 503);
                }
            }
            finally { gate.Release(); }
            return Results.File(file, "audio/wav");
        });
    }

    private static async Task<string?> PromptAsync(string path, string key, CancellationToken ct)
    {
        if (!File.Exists(path)) return null;
        await using var stream = File.OpenRead(path);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        return doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static async Task<bool> SynthesizeAsync(string lang, string text, string file, CancellationToken ct)
    {
        var temp = file + ".tmp";
        var psi = new ProcessStartInfo(Espeak) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", lang == "en" ? "en" : "vi", "-s", "140", "-w", temp, "--", text }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi);
        if (process is null) return false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
            return false;
        }
        if (process.ExitCode != 0 || !File.Exists(temp)) return false;
        File.Move(temp, file, overwrite: true);
        return true;
    }
}
