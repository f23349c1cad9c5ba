using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Kiosk.DeviceContract;
using Kiosk.EdgeBroker.Hosting;
using Kiosk.EdgeBroker.Tls;
using Kiosk.EdgeBroker.Users;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeBroker.Tests;

/// <summary>The devices' TLS listener: the kiosk's own CA, the server certificate, the device files.</summary>
public partial class TlsListenerTests
{
    const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode Mode0644 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    static string CaFile(BrokerHarness harness) => Path.Combine(harness.SecretsDirectory, BrokerCertificates.CaCertificateFileName);
    static string ServerCertificateFile(BrokerHarness harness) => Path.Combine(harness.SecretsDirectory, BrokerCertificates.ServerCertificateFileName);
    static string DeviceFile(BrokerHarness harness, string device = "mcu-01") => Path.Combine(harness.SecretsDirectory, $"device-{device}.conf");

    static X509Certificate2 WrittenCa(BrokerHarness harness) => X509Certificate2.CreateFromPem(File.ReadAllText(CaFile(harness)));

    static byte[] WrittenCaDer(BrokerHarness harness)
    {
        using X509Certificate2 ca = WrittenCa(harness);
        return ca.RawData;
    }

    static string Thumbprint(string pemFile)
    {
        using X509Certificate2 certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));
        return certificate.Thumbprint;
    }

    static DeviceSettings ReadDeviceFile(BrokerHarness harness, string device = "mcu-01")
    {
        DeviceSettings? settings = DeviceSettings.Parse(File.ReadAllText(DeviceFile(harness, device)), out string? error);
        Assert.True(settings is not null, error);
        return settings!;
    }

    /// <summary>What the firmware does: TLS to the broker's port, the pinned CA as the only trust anchor, the host
    /// name checked against the certificate, MQTT 3.1.1, user name = client id = device id.</summary>
    static MqttClientOptionsBuilder DeviceOverTls(BrokerHarness harness, string device, string password, X509Certificate2 trusted,
        string targetHost = "127.0.0.1", SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        Func<MqttClientCertificateValidationEventArgs, bool>? validate = null) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", harness.Broker.TlsPort)
            .WithClientId(device)
            .WithCredentials(device, password)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(tls =>
            {
                tls.UseTls()
                    .WithTargetHost(targetHost)
                    .WithTrustChain([trusted])
                    .WithRevocationMode(X509RevocationMode.NoCheck)
                    .WithSslProtocols(protocols);
                if (validate is not null)
                {
                    tls.WithCertificateValidationHandler(validate);
                }
            });

    static bool ChainsTo(Exception exception, Type type)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (type.IsInstanceOfType(current))
            {
                return true;
            }
        }

        return false;
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task A_device_validating_the_written_ca_logs_in_over_tls_and_its_status_reaches_the_host_on_the_plain_listener(SslProtocols protocol)
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        IMqttClient host = await harness.ConnectHostAsync(); // plain, loopback
        var hostInbox = new Inbox(host);
        await host.SubscribeAsync("kiosk/v1/+/status");
        DeviceSettings settings = ReadDeviceFile(harness);

        using X509Certificate2 ca = X509CertificateLoader.LoadCertificate(settings.BrokerCa);
        (IMqttClient device, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            DeviceOverTls(harness, settings.DeviceId, settings.MqttPassword, ca, settings.BrokerHost, protocol));
        Assert.Equal(MqttClientConnectResultCode.Success, result);

        MqttClientPublishResult published = await device.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("kiosk/v1/mcu-01/status").WithPayload("{\"online\":true}"u8.ToArray()).WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(published.IsSuccess);

        MqttApplicationMessage received = await hostInbox.NextAsync();
        Assert.Equal("kiosk/v1/mcu-01/status", received.Topic);
        Assert.Equal("{\"online\":true}", Encoding.UTF8.GetString(received.Payload));
        Assert.Contains($"tls listening on 127.0.0.1:{harness.Broker.TlsPort} host=127.0.0.1", harness.LogText);
        Assert.Contains("connected client=mcu-01 user=mcu-01", harness.LogText);
        Assert.NotEqual(harness.Port, harness.Broker.TlsPort);
    }

    [Fact]
    public async Task The_acl_applies_on_the_tls_listener_too()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        using X509Certificate2 ca = WrittenCa(harness);
        (IMqttClient device, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            DeviceOverTls(harness, "mcu-01", harness.Password("mcu-01"), ca).WithProtocolVersion(MqttProtocolVersion.V500));
        Assert.Equal(MqttClientConnectResultCode.Success, result);

        MqttClientSubscribeResult foreign = await device.SubscribeAsync("kiosk/v1/#");
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, foreign.Items.Single().ResultCode);

        (_, MqttClientConnectResultCode wrongPassword) = await harness.TryConnectAsync(
            DeviceOverTls(harness, "mcu-01", new string('0', 64), ca).WithProtocolVersion(MqttProtocolVersion.V500));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrongPassword);
    }

    [Fact]
    public async Task A_client_that_trusts_another_ca_is_refused_at_the_tls_handshake()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        using TestPki other = TestPki.Create();
        using X509Certificate2 otherCa = X509Certificate2.CreateFromPem(File.ReadAllText(other.CaFile));

        Exception refused = await Assert.ThrowsAnyAsync<Exception>(() => harness.TryConnectAsync(
            DeviceOverTls(harness, "mcu-01", harness.Password("mcu-01"), otherCa)));

        Assert.True(ChainsTo(refused, typeof(AuthenticationException)), refused.ToString());
        Assert.DoesNotContain("connected client=mcu-01", harness.LogText);
    }

    [Fact]
    public async Task A_client_that_expects_another_host_name_is_refused_at_the_tls_handshake()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        using X509Certificate2 ca = WrittenCa(harness);

        Exception refused = await Assert.ThrowsAnyAsync<Exception>(() => harness.TryConnectAsync(
            DeviceOverTls(harness, "mcu-01", harness.Password("mcu-01"), ca, targetHost: "broker.other-kiosk.example")));

        Assert.True(ChainsTo(refused, typeof(AuthenticationException)), refused.ToString());
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.168.4.1")]
    public void The_plain_listener_refuses_a_non_loopback_address(string address)
    {
        ArgumentException fromCommandLine = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--bind", address]));
        Assert.Contains("loopback", fromCommandLine.Message);

        // In-process too: the options are checked when the broker is made, before anything is written or bound.
        string root = Directory.CreateTempSubdirectory("edge-broker-bind-").FullName;
        try
        {
            var options = new EdgeBrokerOptions
            {
                BindAddress = IPAddress.Parse(address), TlsPort = 0, Port = 0,
                DataDirectory = Path.Combine(root, "broker"), SecretsDirectory = Path.Combine(root, "secrets"),
            };
            Assert.Throws<ArgumentException>(() => new Kiosk.EdgeBroker.Hosting.EdgeBroker(options, TextWriter.Null));
            Assert.False(Directory.Exists(options.SecretsDirectory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--bind", "::1" }, "::1")]
    [InlineData(new[] { "--bind", "127.0.0.2" }, "127.0.0.2")]
    public void The_plain_listener_takes_any_loopback_address(string[] args, string bind)
    {
        var run = Assert.IsType<RunBroker>(CommandLine.Parse(args));
        Assert.Equal(bind, run.Options.BindAddress.ToString());
    }

    [Fact]
    public void The_tls_options_are_read_with_their_defaults()
    {
        var defaults = Assert.IsType<RunBroker>(CommandLine.Parse([])).Options;
        Assert.Equal(8883, defaults.TlsPort);
        Assert.Equal(IPAddress.Loopback, defaults.TlsBindAddress);
        Assert.Equal("127.0.0.1", defaults.DeviceHost());

        var kiosk = Assert.IsType<RunBroker>(CommandLine.Parse(
            ["--tls-port", "0", "--tls-bind", "0.0.0.0", "--tls-host", "Kiosk-HK-0001.local"])).Options;
        Assert.Equal(0, kiosk.TlsPort);
        Assert.Equal(IPAddress.Any, kiosk.TlsBindAddress);
        Assert.Equal("kiosk-hk-0001.local", kiosk.DeviceHost());

        var byAddress = Assert.IsType<RunBroker>(CommandLine.Parse(["--tls-bind", "192.168.4.1"])).Options;
        Assert.Equal("192.168.4.1", byAddress.DeviceHost());
    }

    [Theory]
    [InlineData("--tls-bind", "0.0.0.0")] // which name would the devices use?
    [InlineData("--tls-bind", "::")]
    [InlineData("--tls-bind", "kiosk.local")]
    [InlineData("--tls-host", "0.0.0.0")]
    [InlineData("--tls-host", "kiosk_1.local")]
    [InlineData("--tls-host", "kiosk local")]
    [InlineData("--tls-host", "1234")]
    [InlineData("--tls-port", "65536")]
    [InlineData("--tls-port", "-1")]
    [InlineData("--port", "1883", "--tls-port", "1883")]
    [InlineData("--no-tls")]
    [InlineData("adduser", "mcu-02", "--role", "device", "--tls-port", "1")]
    public void Bad_tls_options_are_refused(params string[] args)
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => CommandLine.Parse(args));
        if (args is ["--tls-bind", "0.0.0.0" or "::"])
        {
            Assert.Contains("--tls-host", refused.Message);
        }
    }

    [Fact]
    public async Task The_secret_files_have_their_modes_the_ca_is_reused_and_the_server_certificate_follows_the_tls_host()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // file modes are a Unix notion; the kiosk runs Linux.
        }

        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        string secrets = harness.SecretsDirectory;
        Assert.Equal(Mode0600 | UnixFileMode.UserExecute, File.GetUnixFileMode(secrets));
        Assert.Equal(Mode0644, File.GetUnixFileMode(Path.Combine(secrets, "broker-ca.crt")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(Path.Combine(secrets, "broker-ca.key")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(Path.Combine(secrets, "broker-tls.crt")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(Path.Combine(secrets, "broker-tls.key")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(DeviceFile(harness)));
        Assert.False(File.Exists(DeviceFile(harness, "host")));
        Assert.Empty(Directory.GetFiles(secrets, "*.tmp"));

        using X509Certificate2 ca = WrittenCa(harness);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single() is { CertificateAuthority: true, Critical: true });
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        using (ECDsa caKey = ca.GetECDsaPublicKey()!)
        {
            Assert.Equal("1.2.840.10045.3.1.7", caKey.ExportParameters(false).Curve.Oid.Value); // P-256
        }
        Assert.InRange(ca.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddYears(20).AddDays(-2), DateTime.UtcNow.AddYears(20).AddDays(1));

        using X509Certificate2 first = X509Certificate2.CreateFromPem(File.ReadAllText(ServerCertificateFile(harness)));
        Assert.Equal(ca.Subject, first.Issuer);
        X509SubjectAlternativeNameExtension names = first.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal([IPAddress.Loopback], names.EnumerateIPAddresses());
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal("1.3.6.1.5.5.7.3.1", first.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        Assert.InRange(first.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(729), DateTime.UtcNow.AddDays(731));

        // Same options: nothing new.
        await harness.RestartAsync();
        using (X509Certificate2 again = X509Certificate2.CreateFromPem(File.ReadAllText(ServerCertificateFile(harness))))
        {
            Assert.Equal(first.Thumbprint, again.Thumbprint);
        }

        // Another TLS host: a new server certificate from the same CA, naming it; the device file follows.
        await harness.Broker.StopAsync();
        await harness.StartBrokerAsync(options => options with { TlsHost = "kiosk-7.local" });
        using X509Certificate2 reissued = X509Certificate2.CreateFromPem(File.ReadAllText(ServerCertificateFile(harness)));
        using (X509Certificate2 caAfter = WrittenCa(harness))
        {
            Assert.Equal(ca.RawData, caAfter.RawData);
        }

        Assert.NotEqual(first.Thumbprint, reissued.Thumbprint);
        X509SubjectAlternativeNameExtension newNames = reissued.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["kiosk-7.local", "localhost"], newNames.EnumerateDnsNames().Order());
        Assert.Equal([IPAddress.Loopback], newNames.EnumerateIPAddresses());
        Assert.Contains("reason=does not name kiosk-7.local", harness.LogText);
        Assert.Equal(Mode0600, File.GetUnixFileMode(ServerCertificateFile(harness)));
        DeviceSettings settings = ReadDeviceFile(harness);
        Assert.Equal("kiosk-7.local", settings.BrokerHost);
        Assert.Equal(harness.Broker.TlsPort, settings.BrokerPort);

        // A device that knows the broker by that name connects and checks it against the certificate.
        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(
            DeviceOverTls(harness, "mcu-01", settings.MqttPassword, ca, targetHost: "kiosk-7.local"));
        Assert.Equal(MqttClientConnectResultCode.Success, result);
    }

    [Fact]
    public async Task The_device_file_parses_back_to_the_tls_host_port_ca_and_password_and_is_rewritten_on_each_start()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();

        DeviceSettings settings = ReadDeviceFile(harness);
        Assert.Equal("mcu-01", settings.DeviceId);
        Assert.Equal("127.0.0.1", settings.BrokerHost);
        Assert.Equal(harness.Broker.TlsPort, settings.BrokerPort);
        using (X509Certificate2 ca = WrittenCa(harness))
        {
            Assert.Equal(ca.RawData, settings.BrokerCa);
        }

        Assert.Equal(harness.Password("mcu-01"), settings.MqttPassword);
        Assert.False(settings.UseMqtt5);
        Assert.Equal("", settings.WifiSsid);
        Assert.Equal("", settings.WifiPassword);
        Assert.Contains("mqtt.protocol=3.1.1", File.ReadAllText(DeviceFile(harness)));
        Assert.Contains($"wrote device file device=mcu-01 broker=127.0.0.1:{harness.Broker.TlsPort}", harness.LogText);
        Assert.DoesNotContain(settings.MqttPassword, harness.LogText);

        // The installer fills in the Wi-Fi; a device is added; the broker restarts on another TLS port.
        settings.WifiSsid = "NhaVanHoa";
        settings.WifiPassword = "wifi secret";
        File.WriteAllText(DeviceFile(harness), settings.ToText());
        new UserStore(harness.DataDirectory, harness.SecretsDirectory).AddUser(new BrokerUser("mcu-02", UserRole.Device));
        await harness.RestartAsync(); // TLS port 0 again: most likely another one

        DeviceSettings rewritten = ReadDeviceFile(harness);
        Assert.Equal(harness.Broker.TlsPort, rewritten.BrokerPort);
        Assert.Equal("NhaVanHoa", rewritten.WifiSsid);
        Assert.Equal("wifi secret", rewritten.WifiPassword);
        Assert.Equal(settings.MqttPassword, rewritten.MqttPassword);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Mode0600, File.GetUnixFileMode(DeviceFile(harness)));
        }

        DeviceSettings second = ReadDeviceFile(harness, "mcu-02");
        Assert.Equal(harness.Password("mcu-02"), second.MqttPassword);
        Assert.Equal(harness.Broker.TlsPort, second.BrokerPort);
    }

    [Fact]
    public async Task A_server_certificate_about_to_expire_is_reissued_at_start_and_while_the_broker_runs()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using BrokerHarness harness = await BrokerHarness.StartAsync(options => options with { Clock = clock });
        using X509Certificate2 ca = WrittenCa(harness);
        string firstThumbprint = Thumbprint(ServerCertificateFile(harness));

        // While it runs: 701 days on, the certificate has 29 days left; the next TLS connection gets a new one.
        clock.Advance(TimeSpan.FromDays(701));
        X509Certificate2? presented = null;
        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(DeviceOverTls(harness, "mcu-01", harness.Password("mcu-01"), ca,
            validate: context =>
            {
                // The platform checked the chain at the real time, before the new certificate's start; check it at
                // the kiosk's (manual) time instead, and keep the host name check.
                presented = X509CertificateLoader.LoadCertificate(context.Certificate.GetRawCertData());
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationTime = clock.GetUtcNow().UtcDateTime;
                return (context.SslPolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && chain.Build(presented);
            }));
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        Assert.NotNull(presented);
        Assert.NotEqual(firstThumbprint, presented!.Thumbprint);
        Assert.Equal(presented.Thumbprint, Thumbprint(ServerCertificateFile(harness)));
        Assert.Contains("reason=expires", harness.LogText);
        presented.Dispose();

        // At start: a certificate with 10 days left (issued by the same CA) is replaced; the CA stays.
        await harness.Broker.StopAsync();
        WriteServerCertificate(harness, clock.GetUtcNow(), clock.GetUtcNow().AddDays(10));
        string shortLived = Thumbprint(ServerCertificateFile(harness));
        await harness.StartBrokerAsync(options => options with { Clock = clock });
        using X509Certificate2 renewed = X509Certificate2.CreateFromPem(File.ReadAllText(ServerCertificateFile(harness)));
        Assert.NotEqual(shortLived, renewed.Thumbprint);
        Assert.InRange(renewed.NotAfter.ToUniversalTime(), clock.GetUtcNow().AddDays(729).UtcDateTime, clock.GetUtcNow().AddDays(731).UtcDateTime);
        Assert.Equal(ca.RawData, WrittenCaDer(harness));
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_or_without_its_key_is_reissued()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        using X509Certificate2 ca = WrittenCa(harness);
        await harness.Broker.StopAsync();

        using TestPki other = TestPki.Create();
        File.Copy(other.ServerCertificateFile, ServerCertificateFile(harness), overwrite: true);
        File.Copy(other.ServerKeyFile, Path.Combine(harness.SecretsDirectory, BrokerCertificates.ServerKeyFileName), overwrite: true);
        await harness.StartBrokerAsync();
        Assert.Contains("reason=not valid now or not issued by the broker CA", harness.LogText);
        using (X509Certificate2 reissued = X509Certificate2.CreateFromPem(File.ReadAllText(ServerCertificateFile(harness))))
        {
            Assert.Equal(ca.Subject, reissued.Issuer);
        }

        await harness.Broker.StopAsync();
        File.Delete(Path.Combine(harness.SecretsDirectory, BrokerCertificates.ServerKeyFileName));
        await harness.StartBrokerAsync();
        Assert.Contains("reason=missing", harness.LogText);
        Assert.Equal(ca.RawData, WrittenCaDer(harness));

        await harness.Broker.StopAsync();
        using (ECDsa stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(Path.Combine(harness.SecretsDirectory, BrokerCertificates.ServerKeyFileName), stranger.ExportPkcs8PrivateKeyPem());
        }

        await harness.StartBrokerAsync();
        Assert.Contains("reason=unreadable or its key does not match", harness.LogText);
        (_, MqttClientConnectResultCode result) = await harness.TryConnectAsync(DeviceOverTls(harness, "mcu-01", harness.Password("mcu-01"), ca));
        Assert.Equal(MqttClientConnectResultCode.Success, result);
    }

    [Fact]
    public async Task A_ca_with_a_missing_or_damaged_half_stops_the_start_instead_of_being_replaced()
    {
        await using BrokerHarness harness = await BrokerHarness.StartAsync();
        byte[] caBefore = File.ReadAllBytes(CaFile(harness));
        await harness.Broker.StopAsync();
        string key = Path.Combine(harness.SecretsDirectory, BrokerCertificates.CaKeyFileName);
        string keyText = File.ReadAllText(key);

        File.Delete(key);
        InvalidDataException missing = await Assert.ThrowsAsync<InvalidDataException>(() => harness.StartBrokerAsync());
        Assert.Contains("broker-ca.key is missing", missing.Message);
        Assert.Equal(caBefore, File.ReadAllBytes(CaFile(harness)));

        // A key that is not the CA's.
        using (ECDsa stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(key, stranger.ExportPkcs8PrivateKeyPem());
        }

        await Assert.ThrowsAsync<InvalidDataException>(() => harness.StartBrokerAsync());
        Assert.Equal(caBefore, File.ReadAllBytes(CaFile(harness)));

        File.WriteAllText(key, keyText);
        await harness.StartBrokerAsync();
        Assert.Equal(caBefore, File.ReadAllBytes(CaFile(harness)));
    }

    [Fact]
    public async Task A_fresh_ca_is_not_made_while_the_clock_is_unset()
    {
        string root = Directory.CreateTempSubdirectory("edge-broker-clock-").FullName;
        try
        {
            var options = new EdgeBrokerOptions
            {
                Port = 0, TlsPort = 0, DataDirectory = Path.Combine(root, "broker"), SecretsDirectory = Path.Combine(root, "secrets"),
                Clock = new ManualClock(DateTimeOffset.UnixEpoch),
            };
            await using var broker = new Kiosk.EdgeBroker.Hosting.EdgeBroker(options, TextWriter.Null);
            InvalidDataException refused = await Assert.ThrowsAsync<InvalidDataException>(broker.StartAsync);
            Assert.Contains("clock", refused.Message);
            Assert.False(File.Exists(Path.Combine(options.SecretsDirectory, BrokerCertificates.CaCertificateFileName)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A server certificate from the broker's CA with the given validity, as a previous start could have left.</summary>
    static void WriteServerCertificate(BrokerHarness harness, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        string secrets = harness.SecretsDirectory;
        using X509Certificate2 ca = X509Certificate2.CreateFromPemFile(
            Path.Combine(secrets, BrokerCertificates.CaCertificateFileName), Path.Combine(secrets, BrokerCertificates.CaKeyFileName));
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(Path.Combine(secrets, BrokerCertificates.ServerCertificateFileName), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(secrets, BrokerCertificates.ServerKeyFileName), key.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public async Task The_exe_announces_the_tls_port_after_the_plain_one_and_the_device_file_carries_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is a Unix notion; the kiosk runs Linux.
        }

        string root = Directory.CreateTempSubdirectory("edge-broker-tls-process-").FullName;
        string secrets = Path.Combine(root, "secrets");
        using Process broker = StartExe("--port", "0", "--tls-port", "0", "--data", Path.Combine(root, "broker"), "--secrets", secrets);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            int? plainPort = null;
            int tlsPort = 0;
            while (await broker.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (TlsListeningLine().Match(line) is { Success: true } tls)
                {
                    Assert.NotNull(plainPort); // the plain line comes first: readers that take the first "listening on"
                    tlsPort = int.Parse(tls.Groups["port"].Value);
                    break;
                }

                if (PlainListeningLine().Match(line) is { Success: true } plain)
                {
                    plainPort = int.Parse(plain.Groups["port"].Value);
                }
            }

            Task<string> rest = broker.StandardOutput.ReadToEndAsync();
            Assert.NotEqual(0, tlsPort);
            Assert.NotEqual(plainPort, tlsPort);
            DeviceSettings? settings = DeviceSettings.Parse(File.ReadAllText(Path.Combine(secrets, "device-mcu-01.conf")), out _);
            Assert.Equal(tlsPort, settings!.BrokerPort);

            using X509Certificate2 ca = X509CertificateLoader.LoadCertificate(settings.BrokerCa);
            using IMqttClient device = new MqttClientFactory().CreateMqttClient();
            MqttClientConnectResult result = await device.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer(settings.BrokerHost, settings.BrokerPort).WithClientId(settings.DeviceId)
                .WithCredentials(settings.DeviceId, settings.MqttPassword).WithProtocolVersion(MqttProtocolVersion.V311)
                .WithTlsOptions(tls => tls.UseTls().WithTargetHost(settings.BrokerHost).WithTrustChain([ca])
                    .WithRevocationMode(X509RevocationMode.NoCheck))
                .Build(), timeout.Token);
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await device.DisconnectAsync();

            using (Process kill = Process.Start("kill", ["-TERM", broker.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            await broker.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, broker.ExitCode);
            Assert.Contains("stopped", await rest);
        }
        finally
        {
            if (!broker.HasExited)
            {
                broker.Kill();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("--bind", "0.0.0.0")]
    [InlineData("--tls-bind", "0.0.0.0")]
    public async Task The_exe_refuses_a_plain_bind_to_the_network_and_an_unnamed_tls_bind_with_exit_code_2(string option, string value)
    {
        string root = Directory.CreateTempSubdirectory("edge-broker-bad-bind-").FullName;
        try
        {
            using Process broker = StartExe(option, value, "--port", "0", "--tls-port", "0",
                "--data", Path.Combine(root, "broker"), "--secrets", Path.Combine(root, "secrets"));
            Task<string> output = broker.StandardOutput.ReadToEndAsync();
            string error = await broker.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await broker.WaitForExitAsync(timeout.Token);

            Assert.Equal(2, broker.ExitCode);
            Assert.Contains(option == "--bind" ? "loopback" : "--tls-host", error);
            Assert.DoesNotContain("listening on", await output);
            Assert.False(Directory.Exists(Path.Combine(root, "secrets")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    static Process StartExe(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kiosk.EdgeBroker.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [GeneratedRegex(@"(?<!tls )listening on [^\s]+:(?<port>\d+)")]
    private static partial Regex PlainListeningLine();

    [GeneratedRegex(@"tls listening on [^\s]+:(?<port>\d+)")]
    private static partial Regex TlsListeningLine();
}
