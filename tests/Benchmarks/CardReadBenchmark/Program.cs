using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Kiosk.DemoLauncher;
using Kiosk.Firmware.Devices.Pn532;
using Kiosk.Firmware.Platform;
using Kiosk.Firmware.VirtualMcu;
using Kiosk.Host.Card;
using Kiosk.Host.Web;

namespace Kiosk.Benchmarks.CardRead;

/// <summary>
/// Starts a whole simulated kiosk (broker, portal, peripherals, virtual MCU, host) on free ports, places the virtual
/// card at 424 kbit/s, reads it N times through host → broker → firmware → virtual PN532 → card with the technicians'
/// endpoint (what <c>kioskctl card read</c> calls), and prints the median total next to the air-interface time the
/// timing model gives for the same APDUs at 424 kbit/s. Then it stops the virtual MCU and reads the card N times more
/// with the same host code in this process, straight to the virtual PN532 through the firmware's driver: the time
/// without the MQTT hops. The difference, per APDU, is what host → broker → firmware → broker → host costs; the rest
/// above the air time is the serial link, the PN532 framing and the host's own computing.
/// Exit code 0 when the ratio meets the target (≤ 1.10 × air time), 1 when it does not.
/// Options: --reads N (default 10), --profile ID (default nguyen-van-an), --plain (no PACE even if the card offers it),
/// --pause MS (quiet time before each read, default 400: longer than the firmware's 300 ms request burst, so each read
/// starts like a resident's instead of continuing one endless burst; 0 reads back to back).
/// </summary>
public static class Program
{
    private const int ModelBitRate = 424;
    private const double Target = 1.10;

    public static async Task<int> Main(string[] args)
    {
        int reads = 10;
        string profile = "nguyen-van-an";
        bool plain = false;
        bool keep = false;
        // A resident's read starts after a quiet moment; back-to-back reads would be one long burst of APDUs, in which
        // the firmware runs its deferred polls (fingerprint capture ~100 ms, card presence, printer) once every 2 s.
        int pauseMs = 400;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reads" when i + 1 < args.Length: reads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--profile" when i + 1 < args.Length: profile = args[++i]; break;
                case "--plain": plain = true; break;
                case "--pause" when i + 1 < args.Length: pauseMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine("usage: Kiosk.Benchmarks.CardRead [--reads N] [--profile ID] [--plain] [--pause MS]");
                    return 64;
            }
        }

        string data = Directory.CreateTempSubdirectory("kiosk-card-bench-").FullName;
        var ports = KioskPorts.Free();
        var overall = Stopwatch.StartNew();
        // The host reads its CSCA folder from the configuration key "csca" (--csca); the child processes inherit this
        // environment variable, so the host trusts the peripheral simulator's test PKI (created with the first card).
        Environment.SetEnvironmentVariable("csca", Path.Combine(data, "peripherals", "pki", "trust"));
        await using var kiosk = new KioskProcesses(data, ports);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
        try
        {
            Console.WriteLine($"starting a simulated kiosk on free ports (host {ports.HostUrl}, control {ports.ControlUrl}); logs in {kiosk.LogFolder}");
            await kiosk.StartAllAsync();
            await WaitAsync("firmware online and reader ok", TimeSpan.FromSeconds(30), async () =>
            {
                var status = await http.GetFromJsonAsync<JsonElement>(ports.HostUrl + "/api/status");
                var c = status.GetProperty("components");
                return c.GetProperty("firmware").GetString() == "online" && c.GetProperty("reader").GetString() == "ok";
            });

            // PACE with the CAN when the card requires access control; a plain read otherwise (or with --plain).
            string? can = null;
            if (!plain)
            {
                var profiles = await http.GetFromJsonAsync<JsonElement>(ports.ControlUrl + "/api/profiles");
                var person = profiles.EnumerateArray().First(p => p.GetProperty("id").GetString() == profile);
                can = person.GetProperty("idNumber").GetString()![^6..];
            }
            var place = await http.PostAsJsonAsync(ports.ControlUrl + "/api/card",
                new { profile, type = "A", bitRate = ModelBitRate, requireAccessControl = can is not null, security = true });
            place.EnsureSuccessStatusCode();
            await WaitAsync("card present at the host", TimeSpan.FromSeconds(15), async () =>
                (await http.GetFromJsonAsync<JsonElement>(ports.HostUrl + "/api/status")).GetProperty("cardPresent").GetBoolean());

            var totals = new List<double>();
            var airs = new List<double>();
            var modelled = new List<double>();
            JsonElement last = default;
            for (int i = 0; i < reads + 1; i++)
            {
                (await http.DeleteAsync(ports.ControlUrl + "/api/card/air")).EnsureSuccessStatusCode();
                await Task.Delay(pauseMs);
                var watch = Stopwatch.StartNew();
                var answer = await http.PostAsJsonAsync(ports.HostUrl + "/api/maintenance/card/read", new { can });
                watch.Stop();
                string body = await answer.Content.ReadAsStringAsync();
                if (!answer.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"read {i}: HTTP {(int)answer.StatusCode} {body}; logs kept in {kiosk.LogFolder}");
                    keep = true;
                    return 1;
                }
                last = JsonDocument.Parse(body).RootElement.Clone();
                var air = await http.GetFromJsonAsync<JsonElement>($"{ports.ControlUrl}/api/card/air?bitRate={ModelBitRate}");
                if (i == 0) continue; // warm-up: JIT, first MQTT round trips
                totals.Add(watch.Elapsed.TotalMilliseconds);
                modelled.Add(air.GetProperty("airTimeMs").GetDouble());
                airs.Add(air.GetProperty("atBitRate").GetProperty("airTimeMs").GetDouble());
            }

            // The baseline: no host process, no broker, no firmware process. The virtual MCU goes, so that nothing else
            // talks to the virtual PN532.
            await kiosk.KillAsync("virtual-mcu");
            var directs = new List<double>();
            var directAirs = new List<double>();
            Dictionary<string, object> directTimings = [];
            using (var direct = DirectReader.Open(ports.Pn532))
            {
                for (int i = 0; i < reads + 1; i++)
                {
                    (await http.DeleteAsync(ports.ControlUrl + "/api/card/air")).EnsureSuccessStatusCode();
                    await Task.Delay(pauseMs);
                    var watch = Stopwatch.StartNew();
                    directTimings = (await CardEndpoints.ReadDumpAsync(direct, can is null ? null : CardAccessKey.FromCan(can), CancellationToken.None)).Timings;
                    watch.Stop();
                    var air = await http.GetFromJsonAsync<JsonElement>($"{ports.ControlUrl}/api/card/air?bitRate={ModelBitRate}");
                    if (i == 0) continue;
                    directs.Add(watch.Elapsed.TotalMilliseconds);
                    directAirs.Add(air.GetProperty("atBitRate").GetProperty("airTimeMs").GetDouble());
                }
            }

            var timings = last.GetProperty("timings");
            string[] files = last.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
            var steps = new List<string> { can is not null ? "PACE (CAN)" : "no access control (plain)" };
            steps.AddRange(files);
            string pa = last.GetProperty("passiveAuthentication").GetProperty("result").GetString()!;
            steps.Add("passive authentication: " + pa);
            string chip = last.GetProperty("chipAuthentication").GetString()!;
            string active = last.GetProperty("activeAuthentication").GetString()!;
            steps.Add("chip authentication: " + chip);
            steps.Add("active authentication: " + active);
            // What a full read of a CCCD has and this one did not: unread files, chip checks that did not run.
            var missing = new[] { "DG2", "DG14", "DG15", "EF.SOD" }.Where(f => !files.Contains(f)).Select(f => f + " (not read)").ToList();
            if (chip != "passed") missing.Add($"chip authentication ({chip})");
            if (active != "passed") missing.Add($"active authentication ({active})");
            var failures = last.GetProperty("passiveAuthentication").GetProperty("failures").EnumerateArray().Select(f => f.GetString()).ToArray();

            double total = Median(totals);
            double air424 = Median(airs);
            double straight = Median(directs);
            int apdus = timings.GetProperty("apdus").GetInt32();
            Console.WriteLine();
            Console.WriteLine($"steps in:   {string.Join(", ", steps)}");
            Console.WriteLine($"not in:     {(missing.Count == 0 ? "nothing" : string.Join(", ", missing))}");
            if (failures.Length > 0) Console.WriteLine($"PA notes:   {string.Join("; ", failures)}");
            Console.WriteLine($"per read:   {timings.GetProperty("apdus").GetInt32()} APDUs, {timings.GetProperty("bytesSent").GetInt64()} bytes to the card, {timings.GetProperty("bytesReceived").GetInt64()} bytes back, block {timings.GetProperty("blockSize").GetInt32()}");
            Console.WriteLine($"last read:  access control + SELECT {timings.GetProperty("openMs").GetDouble()} ms, files (ms) {timings.GetProperty("filesMs")}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"            active authentication {timings.GetProperty("activeAuthenticationMs").GetDouble()} ms, chip authentication {timings.GetProperty("chipAuthenticationMs").GetDouble()} ms, " +
                $"verification {timings.GetProperty("verifyMs").GetDouble()} ms; host total {timings.GetProperty("totalMs").GetDouble() + timings.GetProperty("verifyMs").GetDouble():F1} ms of {totals[^1]:F1} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reads:      {totals.Count} (after one warm-up, {pauseMs} ms apart): {string.Join(" ", totals.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total:      median {total:F1} ms (min {totals.Min():F1}, max {totals.Max():F1}) host → broker → firmware → PN532 → card"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"air model:  {air424:F1} ms for the same APDUs at {ModelBitRate} kbit/s (simulated on the air during the read: {Median(modelled):F1} ms)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"no hops:    median {straight:F1} ms (min {directs.Min():F1}, max {directs.Max():F1}) the same read in-process, straight to the virtual PN532 (air model {Median(directAirs):F1} ms)"));
            Console.WriteLine($"            its last read: access control + SELECT {directTimings["openMs"]} ms, files (ms) {JsonSerializer.Serialize(directTimings["filesMs"])}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per APDU:   MQTT hops (host → broker → firmware → broker → host) {(total - straight) / apdus:F2} ms; serial link, PN532 framing and host computing {(straight - air424) / apdus:F2} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio:      {total / air424:F2} × air time (target ≤ {Target:F2}); without the hops {straight / air424:F2} ×"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"benchmark:  {overall.Elapsed.TotalSeconds:F0} s in all"));
            bool met = total / air424 <= Target;
            Console.WriteLine(met ? "target met" : "target not met");
            // One line per figure in the format ./kiosk bench collects.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: card read | full read / air time at {ModelBitRate} kbit/s | {total / air424:F2} | <= {Target:F2} | {(met ? "met" : "NOT met")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: card read | MQTT hops per APDU (ms) | {(total - straight) / apdus:F2} | - | -"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: card read | same read without the hops / air time | {straight / air424:F2} | - | -"));
            return met ? 0 : 1;
        }
        finally
        {
            await kiosk.StopAllAsync(TimeSpan.FromSeconds(5));
            if (!keep) try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static async Task WaitAsync(string what, TimeSpan limit, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try { if (await condition()) return; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {limit.TotalSeconds:F0} s for {what}");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// A card channel with no hops: the firmware's PN532 driver in this process over a TCP serial link to the virtual PN532,
/// activating the card the way the firmware does (type A, InPSL to the fastest shared bit rate up to 424 kbit/s).
/// </summary>
internal sealed class DirectReader : ICardChannel, IDisposable
{
    private readonly TcpSerialLink _link;
    private readonly Pn532Driver _driver;
    private readonly byte _target;

    private DirectReader(TcpSerialLink link, Pn532Driver driver, byte target)
    {
        _link = link;
        _driver = driver;
        _target = target;
    }

    public static DirectReader Open(int pn532Port)
    {
        var link = new TcpSerialLink("pn532", "127.0.0.1", pn532Port, _ => { });
        var driver = new Pn532Driver(link, new TickClock());
        Require(driver.WakeUp(), "wake-up");
        Require(driver.ConfigureMaxRetries(), "max retries");
        Require(driver.ListPassiveTarget(CardType.TypeA, out Pn532Target target), "list passive target");
        int rate = Pn532Commands.ChooseBitRate(target, 424);
        if (rate > 106) Require(driver.SetBitRate(target, rate), "InPSL");
        return new DirectReader(link, driver, target.TargetNumber);
    }

    public Task<byte[]> TransmitAsync(byte[] command, CancellationToken ct)
    {
        Pn532Result result = _driver.Exchange(_target, command);
        if (result.Status != Pn532Status.Ok) throw new CardUnavailableException("PN532: " + result.Status);
        return Task.FromResult(result.Data);
    }

    private static void Require(Pn532Result result, string step)
    {
        if (!result.IsOk) throw new InvalidOperationException($"PN532 {step} failed: {result.Status}");
    }

    public void Dispose() => _link.Dispose();
}
