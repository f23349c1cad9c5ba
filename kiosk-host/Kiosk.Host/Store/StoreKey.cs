using System.Security.Cryptography;

namespace Kiosk.Host.Store;

/// <summary>
/// The store's key file <c>DATA/store.key</c>: 32 random bytes, base64, created on first start with mode 0600.
/// The base64 text is LiteDB's password (LiteDB derives its AES key from it).
/// </summary>
public static class StoreKey
{
    public const string FileName = "store.key";
    /// <summary>The next key while a rotation runs (<see cref="KioskStore.RotateKey()"/>).</summary>
    public const string NewFileName = "store.key.new";
    /// <summary>The old key during a rotation, between being set aside and being shredded.</summary>
    public const string OldFileName = "store.key.old";

    public static string LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length == 0) throw new InvalidOperationException($"The key file {path} is empty.");
            return existing;
        }

        return Write(path, FileMode.CreateNew);
    }

    /// <summary>Writes a new random key to <paramref name="path"/> (replacing it), mode 0600, flushed to disk.</summary>
    public static string WriteNew(string path) => Write(path, FileMode.Create);

    private static string Write(string path, FileMode mode)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
        {
            using (var writer = new StreamWriter(stream, leaveOpen: true))
                writer.Write(key);
            stream.Flush(flushToDisk: true);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}
