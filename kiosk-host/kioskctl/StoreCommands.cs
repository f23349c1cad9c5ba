namespace Kiosk.Ctl;

/// <summary><c>kioskctl store rotate-key</c>: the host re-encrypts its store with a new key (loopback-only API).</summary>
public sealed class StoreRotateKeyCommand : ICommand
{
    public IReadOnlyList<string> Words { get; } = ["store", "rotate-key"];
    public string Summary => "re-encrypt the kiosk's store with a new key (the old key is kept until the swap is done)";

    public async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct)
    {
        HostApi.CheckOptions(line);
        var answer = await HostApi.CallAsync(line, HttpMethod.Post, "/api/maintenance/store/rotate-key", new { }, error, ct);
        if (answer is null) return ExitCodes.Unreachable;
        if (answer.StatusCode != 200) return HostApi.Refused(answer, "/api/maintenance/store/rotate-key", error);
        output.WriteLine(line.Has("json") ? answer.Body.GetRawText()
            : $"The store was re-encrypted with a new key ({HostApi.Str(answer.Body, "dossiers", "?")} dossiers, {HostApi.Str(answer.Body, "outbox", "?")} outbox entries).");
        return ExitCodes.Ok;
    }
}
