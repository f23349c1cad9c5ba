using Kiosk.DeviceContract;
using Kiosk.EdgeBroker.Hosting;
using Kiosk.EdgeBroker.Users;

namespace Kiosk.EdgeBroker.Tls;

/// <summary>
/// SECRETS/device-NAME.conf for every user with role device: the <see cref="DeviceSettings"/> file the installer
/// completes with the Wi-Fi lines and deploys to that ESP32. Written again on every start, so a changed TLS host, port
/// or CA reaches the next deployment; Wi-Fi values already in an existing file are kept.
/// </summary>
public static class DeviceConfigurationFiles
{
    public static string FileName(string deviceName) => $"device-{deviceName}.conf";

    public static string PathOf(string secretsDirectory, string deviceName) => Path.Combine(secretsDirectory, FileName(deviceName));

    /// <summary>Writes one file per device user; returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(UserStore users, string secretsDirectory, string host, int port, byte[] caDer, BrokerLog log)
    {
        var written = new List<string>();
        foreach (BrokerUser user in users.ListUsers().Where(user => user.Role == UserRole.Device).OrderBy(user => user.Name, StringComparer.Ordinal))
        {
            string secretPath = users.SecretPath(user.Name);
            if (!File.Exists(secretPath))
            {
                log.Warn($"no device file for device={user.Name}: its password file {secretPath} is missing (add the user again)");
                continue;
            }

            string path = PathOf(secretsDirectory, user.Name);
            DeviceSettings? previous = ReadExisting(path);
            var settings = new DeviceSettings
            {
                DeviceId = user.Name,
                WifiSsid = previous?.WifiSsid ?? "",
                WifiPassword = previous?.WifiPassword ?? "",
                BrokerHost = host,
                BrokerPort = port,
                BrokerCa = caDer,
                MqttPassword = File.ReadAllText(secretPath).Trim(),
                UseMqtt5 = false,
            };
            SecretFile.Write(path, settings.ToText(), SecretFile.Private);
            written.Add(path);
            log.Info($"wrote device file device={user.Name} broker={host}:{port} file={path}");
        }

        return written;
    }

    /// <summary>The file as it is now, for the Wi-Fi lines an installer may have added; null when absent or not valid.</summary>
    static DeviceSettings? ReadExisting(string path)
    {
        try
        {
            return File.Exists(path) ? DeviceSettings.Parse(File.ReadAllText(path), out _) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
