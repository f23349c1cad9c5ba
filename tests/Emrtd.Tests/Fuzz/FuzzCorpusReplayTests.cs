using System.Runtime.ExceptionServices;
using Kiosk.Emrtd.Fuzz;

namespace Emrtd.Tests.Fuzz;

/// <summary>
/// Replays every kept afl-fuzz input (FuzzCorpus/TARGET, regressions included) through the target the fuzzer ran it
/// on: each must end in a result or an <see cref="Kiosk.Emrtd.EmrtdException"/>, finish, and allocate a bounded amount.
/// </summary>
public class FuzzCorpusReplayTests
{
    /// <summary>
    /// Far above what any kept input needs (under 100 KiB when the corpus was kept), far below what a parser that
    /// trusted a claimed length (up to 2^31 bytes) would allocate.
    /// </summary>
    private const long AllocationLimit = 16L * 1024 * 1024;

    private static string CorpusFolder => Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");

    public static TheoryData<string, string> CorpusFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (string target in FuzzTargets.All.Keys)
        foreach (string file in Directory.EnumerateFiles(Path.Combine(CorpusFolder, target), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(target, Path.GetRelativePath(CorpusFolder, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Kept_input_ends_in_a_result_or_a_typed_error(string target, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(CorpusFolder, file));
        long allocated = Bounded.Run(() => FuzzTargets.Run(target, input));
        Assert.True(allocated < AllocationLimit, $"{file}: {allocated} bytes allocated for a {input.Length}-byte input");
    }

    [Fact]
    public void Every_target_has_a_kept_corpus()
    {
        foreach (string target in FuzzTargets.All.Keys)
            Assert.True(Directory.EnumerateFiles(Path.Combine(CorpusFolder, target), "*", SearchOption.AllDirectories).Count() >= 3,
                $"FuzzCorpus/{target} holds fewer than 3 inputs");
    }
}

/// <summary>
/// Runs parser code on its own thread so that a hang fails the test (after a generous limit) instead of hanging the
/// run, and measures what that thread allocated.
/// </summary>
internal static class Bounded
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>The bytes allocated by <paramref name="action"/>; what it throws is rethrown here.</summary>
    public static long Run(Action action)
    {
        Exception? escaped = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { action(); }
            catch (Exception exception) { escaped = exception; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Limit), $"still running after {Limit.TotalSeconds} s: a hang");
        if (escaped is not null) ExceptionDispatchInfo.Throw(escaped);
        return allocated;
    }
}
