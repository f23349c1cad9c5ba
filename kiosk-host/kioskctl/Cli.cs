namespace Kiosk.Ctl;

/// <summary>Exit codes shared by every command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The host answered, but something is down.</summary>
    public const int Degraded = 1;
    /// <summary>The host could not be reached.</summary>
    public const int Unreachable = 2;
    /// <summary>Bad command line.</summary>
    public const int Usage = 64;
}

/// <summary>One command: <c>kioskctl WORDS… [options]</c>.</summary>
public interface ICommand
{
    /// <summary>The words that select this command, e.g. ["status"] or ["card", "read"].</summary>
    IReadOnlyList<string> Words { get; }
    string Summary { get; }
    Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken ct);
}

/// <summary>The parsed rest of the command line: <c>--name value</c> options and <c>--flag</c> switches.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    /// <summary>Arguments that are not options (only for commands that take them, e.g. <c>card inspect DIR</c>).</summary>
    public IReadOnlyList<string> Positionals => _positionals;

    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> flags, int maxPositionals = 0)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) && line._positionals.Count < maxPositionals) { line._positionals.Add(a); continue; }
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{a}'");
            var eq = a.IndexOf('=');
            if (eq > 0) { line._options[a[2..eq]] = a[(eq + 1)..]; continue; }
            var name = a[2..];
            if (flags.Contains(name)) { line._options[name] = null; continue; }
            if (i + 1 >= args.Count) throw new UsageException($"option --{name} needs a value");
            line._options[name] = args[++i];
        }
        return line;
    }

    public bool Has(string name) => _options.ContainsKey(name);
    public string Get(string name, string fallback) => _options.TryGetValue(name, out var v) && v is not null ? v : fallback;
    public IEnumerable<string> Names => _options.Keys;
}

/// <summary>A command that takes arguments besides its options (<c>card inspect DIR</c>).</summary>
public interface IPositionalCommand
{
    int MaxPositionals { get; }
}

public sealed class UsageException(string message) : Exception(message);

public static class Cli
{
    public const string DefaultHost = "http://127.0.0.1:8080";

    /// <summary>Every command. Later issues add <c>card read</c>.</summary>
    public static IReadOnlyList<ICommand> Commands { get; } =
        [new StatusCommand(), new SyncStatusCommand(), new SyncNowCommand(), new SyncRequeueCommand(), new DossierListCommand(), new DecommissionCommand(),
         new CardReadCommand(), new CardInspectCommand(),
         new StoreRotateKeyCommand()];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(args.Length == 0 ? error : output);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        var command = Commands
            .Where(c => c.Words.Count <= args.Length && c.Words.SequenceEqual(args.Take(c.Words.Count)))
            .MaxBy(c => c.Words.Count);
        if (command is null)
        {
            error.WriteLine($"kioskctl: unknown command '{args[0]}'");
            PrintHelp(error);
            return ExitCodes.Usage;
        }

        try
        {
            var rest = args.Skip(command.Words.Count).ToList();
            var line = CommandLine.Parse(rest, new HashSet<string> { "json", "help", "yes", "force", "all", "dry-run" }, command is IPositionalCommand p ? p.MaxPositionals : 0);
            if (line.Has("help"))
            {
                output.WriteLine($"kioskctl {string.Join(' ', command.Words)}: {command.Summary}");
                return ExitCodes.Ok;
            }
            return await command.RunAsync(line, output, error, ct);
        }
        catch (UsageException e)
        {
            error.WriteLine($"kioskctl: {e.Message}");
            return ExitCodes.Usage;
        }
    }

    private static void PrintHelp(TextWriter w)
    {
        w.WriteLine("kioskctl — technicians' tool for the kiosk host");
        w.WriteLine();
        w.WriteLine("Commands:");
        foreach (var c in Commands) w.WriteLine($"  {string.Join(' ', c.Words),-18} {c.Summary}");
        w.WriteLine();
        w.WriteLine($"Common options: --host URL (default {DefaultHost}), --json");
        w.WriteLine("Exit codes: 0 ok, 1 something is down or refused, 2 host not reachable, 3 not confirmed, 64 usage error.");
    }
}
