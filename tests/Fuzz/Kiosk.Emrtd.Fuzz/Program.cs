using System.Diagnostics;
using Kiosk.Emrtd.Fuzz;
using SharpFuzz;

// Kiosk.Emrtd.Fuzz fuzz TARGET          one afl-fuzz persistent-mode loop (started by ../fuzz.sh, input on stdin/shared memory)
// Kiosk.Emrtd.Fuzz replay TARGET PATH…  runs files, or every file of folders, through a target without afl; exit 1 on a crash
// Kiosk.Emrtd.Fuzz list                 the target names
string usage = $"usage: Kiosk.Emrtd.Fuzz fuzz TARGET | replay TARGET PATH... | list   (targets: {string.Join(", ", FuzzTargets.All.Keys)})";
if (args.Length == 1 && args[0] == "list")
{
    foreach (string name in FuzzTargets.All.Keys) Console.WriteLine(name);
    return 0;
}
if (args.Length < 2 || !FuzzTargets.All.ContainsKey(args[1]))
{
    Console.Error.WriteLine(usage);
    return 2;
}
string target = args[1];
switch (args[0])
{
    case "fuzz":
        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTargets.Run(target, buffer.ToArray());
        });
        return 0;
    case "replay" when args.Length > 2:
        var files = args[2..].SelectMany<string, string>(path => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [path]).ToList();
        int crashes = 0;
        var slowest = (Path: "", Time: TimeSpan.Zero);
        var hungriest = (Path: "", Bytes: 0L);
        foreach (string file in files)
        {
            var clock = Stopwatch.StartNew();
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            try { FuzzTargets.Run(target, File.ReadAllBytes(file)); }
            catch (Exception exception)
            {
                crashes++;
                Console.WriteLine($"CRASH {file}: {exception.GetType().Name}: {exception.Message}");
                Console.WriteLine(exception.StackTrace);
            }
            if (clock.Elapsed > slowest.Time) slowest = (file, clock.Elapsed);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > hungriest.Bytes) hungriest = (file, allocated);
        }
        Console.WriteLine($"{target}: {files.Count} inputs, {crashes} crashes; slowest {slowest.Time.TotalMilliseconds:F1} ms ({slowest.Path}); " +
                          $"most allocated {hungriest.Bytes / 1024} KiB ({hungriest.Path})");
        return crashes == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine(usage);
        return 2;
}
