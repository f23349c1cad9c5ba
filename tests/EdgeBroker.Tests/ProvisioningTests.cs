using System.Text.Json;
using Kiosk.EdgeBroker.Hosting;
using Kiosk.EdgeBroker.Users;
using MQTTnet;

namespace EdgeBroker.Tests;

public class ProvisioningTests
{
    [Fact]
    public async Task First_start_creates_host_and_device_with_secret_files_and_only_hashes_in_users_json()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        string hostPassword = harness.Password("host");
        string devicePassword = harness.Password("mcu-01");
        Assert.Matches("^[0-9a-f]{64}$", hostPassword); // 32 random bytes
        Assert.Matches("^[0-9a-f]{64}$", devicePassword);
        Assert.NotEqual(hostPassword, devicePassword);

        string usersJson = File.ReadAllText(Path.Combine(harness.DataDirectory, "users.json"));
        Assert.DoesNotContain(hostPassword, usersJson);
        Assert.DoesNotContain(devicePassword, usersJson);

        using JsonDocument document = JsonDocument.Parse(usersJson);
        JsonElement[] users = document.RootElement.GetProperty("users").EnumerateArray().ToArray();
        Assert.Equal(["host", "mcu-01"], users.Select(user => user.GetProperty("name").GetString()));
        Assert.Equal(["host", "device"], users.Select(user => user.GetProperty("role").GetString()));
        Assert.All(users, user =>
        {
            Assert.True(user.GetProperty("iterations").GetInt32() >= 100_000);
            Assert.Equal(32, Convert.FromBase64String(user.GetProperty("hash").GetString()!).Length);
            Assert.Equal(16, Convert.FromBase64String(user.GetProperty("salt").GetString()!).Length);
        });

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(Path.Combine(harness.SecretsDirectory, "mqtt-host.password")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(Path.Combine(harness.SecretsDirectory, "mqtt-mcu-01.password")));
        }
    }

    [Fact]
    public async Task Restart_keeps_the_existing_users_and_passwords()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        string before = harness.Password("mcu-01");

        await harness.RestartAsync();

        Assert.Equal(before, harness.Password("mcu-01"));
        await harness.ConnectDeviceAsync();
    }

    [Fact]
    public async Task A_device_added_while_the_broker_runs_can_connect_and_is_confined_to_its_own_topics()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        // What `Kiosk.EdgeBroker adduser mcu-02 --role device` does.
        new UserStore(harness.DataDirectory, harness.SecretsDirectory).AddUser(new BrokerUser("mcu-02", UserRole.Device));

        IMqttClient second = await harness.ConnectDeviceAsync("mcu-02");
        MqttClientSubscribeResult own = await second.SubscribeAsync("kiosk/v1/mcu-02/cmd/#");
        MqttClientSubscribeResult foreign = await second.SubscribeAsync("kiosk/v1/mcu-01/cmd/#");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, own.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, foreign.Items.Single().ResultCode);
    }

    [Fact]
    public void Adding_an_existing_user_fails_and_keeps_its_password()
    {
        string root = Directory.CreateTempSubdirectory("edge-broker-users-").FullName;
        var store = new UserStore(Path.Combine(root, "data"), Path.Combine(root, "secrets"));
        store.EnsureProvisioned();
        string before = File.ReadAllText(store.SecretPath("mcu-01"));

        Assert.Throws<InvalidOperationException>(() => store.AddUser(new BrokerUser("mcu-01", UserRole.Device)));
        Assert.Equal(before, File.ReadAllText(store.SecretPath("mcu-01")));
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void Credential_check_distinguishes_unknown_user_and_wrong_password()
    {
        string root = Directory.CreateTempSubdirectory("edge-broker-users-").FullName;
        var store = new UserStore(Path.Combine(root, "data"), Path.Combine(root, "secrets"));
        store.EnsureProvisioned();
        byte[] password = File.ReadAllBytes(store.SecretPath("host"));

        Assert.Equal(CredentialCheck.Valid, store.Check("host", password, out BrokerUser? host));
        Assert.Equal(new BrokerUser("host", UserRole.Host), host);
        Assert.Equal(CredentialCheck.WrongPassword, store.Check("host", [.. password, (byte)'x'], out _));
        Assert.Equal(CredentialCheck.WrongPassword, store.Check("host", [], out _));
        Assert.Equal(CredentialCheck.UnknownUser, store.Check("nobody", password, out _));
        Assert.Equal(CredentialCheck.UnknownUser, store.Check(null, password, out _));
        Directory.Delete(root, recursive: true);
    }

    [Theory]
    [InlineData(new[] { "--port", "1883", "--data", "var/broker", "--secrets", "var/secrets" }, 1883, "127.0.0.1")]
    [InlineData(new[] { "--port", "0", "--bind", "::1" }, 0, "::1")]
    [InlineData(new string[0], 1883, "127.0.0.1")]
    public void Command_line_parses_the_run_options(string[] args, int port, string bind)
    {
        var run = Assert.IsType<RunBroker>(CommandLine.Parse(args));
        Assert.Equal(port, run.Options.Port);
        Assert.Equal(bind, run.Options.BindAddress.ToString());
    }

    [Fact]
    public void Command_line_parses_adduser()
    {
        var add = Assert.IsType<AddUser>(CommandLine.Parse(["adduser", "mcu-02", "--role", "device", "--data", "d", "--secrets", "s"]));
        Assert.Equal(new BrokerUser("mcu-02", UserRole.Device), add.User);
        Assert.Equal("d", add.DataDirectory);
        Assert.Equal("s", add.SecretsDirectory);
    }

    [Theory]
    [InlineData("adduser", "mcu/02", "--role", "device")]
    [InlineData("adduser", "mcu-02")]
    [InlineData("adduser", "mcu-02", "--role", "admin")]
    [InlineData("--port", "70000")]
    [InlineData("--bind", "localhost")]
    [InlineData("--bind", "0.0.0.0")] // plain MQTT is for this machine only: TlsListenerTests
    [InlineData("--frobnicate")]
    public void Command_line_refuses_bad_arguments(params string[] args) =>
        Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));
}

public class AddUserBeforeFirstStartTests
{
    [Fact]
    public void Adduser_on_a_fresh_kiosk_also_creates_the_default_users()
    {
        string root = Directory.CreateTempSubdirectory("edge-broker-users-").FullName;
        var store = new UserStore(Path.Combine(root, "data"), Path.Combine(root, "secrets"));

        store.AddUser(new BrokerUser("mcu-02", UserRole.Device));

        Assert.Equal(["host", "mcu-01", "mcu-02"], store.ListUsers().Select(user => user.Name).Order());
        Assert.True(File.Exists(store.SecretPath("host")));
        Directory.Delete(root, recursive: true);
    }
}
