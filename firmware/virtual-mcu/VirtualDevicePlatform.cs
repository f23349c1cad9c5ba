using System.Diagnostics;
using Kiosk.DeviceContract;
using Kiosk.Firmware.Platform;

namespace Kiosk.Firmware.VirtualMcu;

/// <summary>
/// The board as the virtual MCU has it: the device's storage is a folder (each name a file), free memory is the
/// process's GC figure, there is no Wi-Fi, and a reboot ends the process with <see cref="RebootExitCode"/> so that
/// whoever runs it (the demo launcher) starts it again.
/// </summary>
public sealed class VirtualDevicePlatform(string storageFolder, Action<string> log) : IDevicePlatform
{
    /// <summary>EX_TEMPFAIL of sysexits.h: "try again", i.e. start me again.</summary>
    public const int RebootExitCode = 75;

    public StartReason PlatformStartReason => StartReason.PowerOn;

    public long FreeMemoryBytes()
    {
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        return Math.Max(0, info.TotalAvailableMemoryBytes - info.HeapSizeBytes);
    }

    public int WifiRssiDbm() => 0;

    public string? ReadText(string name)
    {
        try
        {
            return File.ReadAllText(PathOf(name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool WriteText(string name, string text)
    {
        try
        {
            Directory.CreateDirectory(storageFolder);
            string path = PathOf(name), temporary = path + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log($"storage: cannot write {name} ({e.GetType().Name})");
            return false;
        }
    }

    public void Delete(string name)
    {
        try { File.Delete(PathOf(name)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log($"storage: cannot delete {name} ({e.GetType().Name})"); }
    }

    public void Reboot()
    {
        log("rebooting (exit code 75)");
        Console.Out.Flush();
        Environment.Exit(RebootExitCode);
    }

    /// <summary>Names are plain file names (letters, digits, '-' and '.', not starting with '.'): never a path.</summary>
    private string PathOf(string name) =>
        name.Length > 0 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')
            ? Path.Combine(storageFolder, name)
            : throw new ArgumentException("storage names are letters, digits, '-' and '.'", nameof(name));
}
