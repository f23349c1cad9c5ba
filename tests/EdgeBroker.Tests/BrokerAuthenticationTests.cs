using MQTTnet;

namespace EdgeBroker.Tests;

public class BrokerAuthenticationTests
{
    [Fact]
    public async Task Host_and_device_log_in_with_their_generated_passwords()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        IMqttClient host = await harness.ConnectHostAsync();
        IMqttClient device = await harness.ConnectDeviceAsync();

        Assert.True(host.IsConnected);
        Assert.True(device.IsConnected);
    }

    [Fact]
    public async Task Wrong_password_is_refused()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            harness.Options("mcu-01", "mcu-01", harness.Password("host")));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
    }

    [Fact]
    public async Task Unknown_user_is_refused()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            harness.Options("mcu-99", "mcu-99", harness.Password("mcu-01")));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
    }

    [Fact]
    public async Task Anonymous_client_is_refused()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", harness.Port).WithClientId("anon"));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
    }

    [Fact]
    public async Task Device_with_a_client_id_other_than_its_user_name_is_refused()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            harness.Options("mcu-02", "mcu-01", harness.Password("mcu-01")));

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result);
    }

    [Fact]
    public async Task Device_with_a_will_on_another_topic_is_refused_at_connect()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        MqttClientOptionsBuilder options = harness.Options("mcu-01", "mcu-01", harness.Password("mcu-01"))
            .WithWillTopic("kiosk/v1/mcu-02/status")
            .WithWillPayload("{\"online\":false}"u8.ToArray())
            .WithWillRetain();
        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(options);

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result);
    }

    [Fact]
    public async Task The_log_names_clients_and_denials_but_never_passwords()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        await harness.ConnectHostAsync();
        await harness.TryConnectAsync(harness.Options("mcu-01", "mcu-01", "guessed-password"));

        string log = harness.LogText;
        Assert.Contains("connected client=host user=host", log);
        Assert.Contains("deny connect client=mcu-01 user=mcu-01", log);
        Assert.DoesNotContain(harness.Password("host"), log);
        Assert.DoesNotContain(harness.Password("mcu-01"), log);
        Assert.DoesNotContain("guessed-password", log);
    }
}
