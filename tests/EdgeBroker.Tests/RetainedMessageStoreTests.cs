using System.Buffers;
using Kiosk.EdgeBroker.Persistence;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeBroker.Tests;

public class RetainedMessageStoreTests
{
    static MqttApplicationMessage Status(int uptime) => new MqttApplicationMessageBuilder()
        .WithTopic("kiosk/v1/mcu-01/status")
        .WithPayload(System.Text.Encoding.UTF8.GetBytes($"{{\"online\":true,\"uptimeSeconds\":{uptime}}}"))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainFlag()
        .Build();

    [Fact]
    public async Task A_burst_of_changes_is_written_once_with_the_latest_list()
    {
        string folder = Directory.CreateTempSubdirectory("retained-").FullName;
        // A quiet period far longer than the burst takes, even on a loaded CI machine, so the burst is one write.
        await using (var store = new RetainedMessageStore(folder, TimeSpan.FromSeconds(2), exception => throw exception))
        {
            for (int uptime = 0; uptime < 100; uptime++)
            {
                store.Schedule([Status(uptime)]);
            }

            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (store.WriteCount == 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(1, store.WriteCount);
        }

        var reloaded = new RetainedMessageStore(folder, TimeSpan.FromSeconds(1), exception => throw exception);
        MqttApplicationMessage message = Assert.Single(reloaded.Load());
        Assert.Contains("\"uptimeSeconds\":99", System.Text.Encoding.UTF8.GetString(message.Payload.ToArray()));
        Assert.True(message.Retain);
        await reloaded.DisposeAsync();
        Assert.False(File.Exists(Path.Combine(folder, "retained.json.tmp")));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Dispose_flushes_a_change_still_waiting_for_its_quiet_period()
    {
        string folder = Directory.CreateTempSubdirectory("retained-").FullName;
        var store = new RetainedMessageStore(folder, TimeSpan.FromMinutes(5), exception => throw exception);
        store.Schedule([Status(7)]);

        await store.DisposeAsync();

        Assert.Contains("kiosk/v1/mcu-01/status", File.ReadAllText(Path.Combine(folder, "retained.json")));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_corrupt_file_is_moved_aside_and_the_broker_starts_empty()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        await harness.Broker.StopAsync();
        File.WriteAllText(Path.Combine(harness.DataDirectory, "retained.json"), "{ not json");

        await harness.StartBrokerAsync();

        Assert.Contains("starting empty", harness.LogText);
        Assert.Single(Directory.GetFiles(harness.DataDirectory, "retained.json.corrupt-*"));
        await harness.ConnectHostAsync();
    }
}
