namespace Kiosk.EdgeBroker.Users;

/// <summary>
/// Writes one file of the secrets folder (passwords, keys, device configuration files) so that no other user can
/// read it at any moment and no reader ever sees half of it: the folder is 0700, the content goes to a temporary file
/// whose mode is set before the first byte is written, is flushed to disk and then renamed over the old file.
/// </summary>
public static class SecretFile
{
    /// <summary>Read and write for the owner only: passwords, private keys, device files.</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Readable by everyone: public certificates.</summary>
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder (mode 0700) when missing and makes sure an existing one is 0700 too.</summary>
    public static void EnsureFolder(string directory)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, PrivateFolder);
        }
    }

    public static void Write(string path, string content, UnixFileMode mode = Private) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(content), mode);

    /// <summary>Replaces (or creates) PATH with CONTENT; afterwards PATH has exactly MODE.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = Private)
    {
        EnsureFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        // A temporary file left by a crash may have any mode; start from a new one so the create mode applies.
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Never wider than MODE, even for an instant (the umask can only narrow it)...
            options.UnixCreateMode = mode & Private;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                if (!OperatingSystem.IsWindows())
                {
                    // ...and exactly MODE before any content is in it, whatever the umask took away.
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                }

                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            // rename(2): readers see the old file or the new one, never a part; the mode travels with the inode.
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
