using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Simulators.Tests;

public class PrinterOverTcpTests
{
    private static async Task<byte> StatusAsync(NetworkStream stream, byte n)
    {
        await stream.WriteAsync(new byte[] { 0x10, 0x04, n });
        byte[] answer = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await stream.ReadAsync(answer, timeout.Token));
        return answer[0];
    }

    private static async Task<JsonElement> WaitForReceiptsAsync(RunningSimulator sim, int count)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            JsonElement receipts = await sim.GetJsonAsync("/api/receipts");
            if (receipts.GetArrayLength() >= count) return receipts;
            await Task.Delay(50);
        }
        throw new TimeoutException("the receipt did not appear");
    }

    [Fact]
    public async Task Prints_a_receipt_sent_in_pieces_and_keeps_it_across_a_restart()
    {
        // A folder this test owns, so it outlives the first simulator.
        string dataFolder = Path.Combine(Path.GetTempPath(), "kiosk-peripherals-restart-" + Guid.NewGuid().ToString("N"));
        await using (RunningSimulator sim = await RunningSimulator.StartAsync(dataFolder))
        {
            using TcpClient client = await sim.ConnectAsync(sim.Simulator.PrinterPort);
            NetworkStream stream = client.GetStream();
            Assert.Equal(0x12, await StatusAsync(stream, 2));
            Assert.Equal(0x12, await StatusAsync(stream, 4));

            byte[] job = EscPosParserTests.SampleReceipt();
            for (int offset = 0; offset < job.Length; offset += 7)
            {
                await stream.WriteAsync(job.AsMemory(offset, Math.Min(7, job.Length - offset)));
                await stream.FlushAsync();
                if (offset % 35 == 0) await Task.Delay(5); // let some pieces arrive as separate reads
            }
            JsonElement receipts = await WaitForReceiptsAsync(sim, 1);
            JsonElement receipt = receipts[0];
            Assert.Equal(1, receipt.GetProperty("number").GetInt32());
            Assert.Equal("https://dichvucong.example/hs/H01.05-260501-0001", receipt.GetProperty("qrPayloads")[0].GetString());
            Assert.Equal(1, receipt.GetProperty("imageCount").GetInt32());
            Assert.Contains("Ho ten: Nguyễn Văn An", receipt.GetProperty("plainText").GetString());
            Assert.Equal("Ho ten: Nguyễn Văn An", receipt.GetProperty("elements")[1].GetProperty("text").GetString());
            Assert.Equal("center", receipt.GetProperty("elements")[0].GetProperty("align").GetString());
            Assert.True(receipt.GetProperty("elements")[0].GetProperty("bold").GetBoolean());
            Assert.True(File.Exists(Path.Combine(dataFolder, "receipts.json")));
        }

        await using (RunningSimulator restarted = await RunningSimulator.StartAsync(dataFolder))
        {
            try
            {
                JsonElement receipts = await restarted.GetJsonAsync("/api/receipts");
                Assert.Equal(1, receipts.GetArrayLength());
                Assert.Contains("Nguyễn Văn An", receipts[0].GetProperty("plainText").GetString());
                Assert.Equal(HttpStatusCode.NoContent, (await restarted.Http.DeleteAsync("/api/receipts")).StatusCode);
                Assert.Equal(0, (await restarted.GetJsonAsync("/api/receipts")).GetArrayLength());
            }
            finally
            {
                restarted.DeleteFolder();
            }
        }
    }

    [Fact]
    public async Task Cover_and_paper_show_in_the_status_and_an_offline_printer_prints_nothing()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using TcpClient client = await sim.ConnectAsync(sim.Simulator.PrinterPort);
        NetworkStream stream = client.GetStream();

        (await sim.PostJsonAsync("/api/printer", new { paper = "near-end" })).EnsureSuccessStatusCode();
        Assert.Equal(0x1E, await StatusAsync(stream, 4));
        Assert.Equal(0x12, await StatusAsync(stream, 1));

        (await sim.PostJsonAsync("/api/printer", new { coverOpen = true, paper = "out" })).EnsureSuccessStatusCode();
        Assert.Equal(0x36, await StatusAsync(stream, 2));
        Assert.Equal(0x7E, await StatusAsync(stream, 4));
        Assert.Equal(0x1A, await StatusAsync(stream, 1));
        await stream.WriteAsync(EscPosParserTests.SampleReceipt());
        Assert.Equal(0x36, await StatusAsync(stream, 2)); // processed in order: the job was read, and dropped
        Assert.Equal(0, (await sim.GetJsonAsync("/api/receipts")).GetArrayLength());

        (await sim.PostJsonAsync("/api/printer", new { coverOpen = false, paper = "ok" })).EnsureSuccessStatusCode();
        Assert.Equal(0x12, await StatusAsync(stream, 2));
        await stream.WriteAsync(EscPosParserTests.SampleReceipt());
        await WaitForReceiptsAsync(sim, 1);
    }

    [Fact]
    public async Task Garbage_on_the_printer_port_does_not_stop_it()
    {
        await using RunningSimulator sim = await RunningSimulator.StartAsync();
        using (TcpClient junkClient = await sim.ConnectAsync(sim.Simulator.PrinterPort))
        {
            byte[] junk = new byte[20000];
            new Random(3).NextBytes(junk);
            for (int i = 0; i < junk.Length; i++) if (junk[i] == 0x10) junk[i] = 0x11; // no status requests to read back
            await junkClient.GetStream().WriteAsync(junk);
        }
        // A fresh connection starts a fresh stream, whatever state the junk left behind.
        using TcpClient client = await sim.ConnectAsync(sim.Simulator.PrinterPort);
        NetworkStream stream = client.GetStream();
        int before = (await sim.GetJsonAsync("/api/receipts")).GetArrayLength();
        await stream.WriteAsync(EscPosParserTests.SampleReceipt());
        Assert.Equal(0x12, await StatusAsync(stream, 2));
        await WaitForReceiptsAsync(sim, before + 1);
    }
}
