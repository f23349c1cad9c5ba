namespace Kiosk.Simulators.VirtualCard.FileSystem;

/// <summary>Why a file operation failed; the applet maps each to its status word.</summary>
public enum FileAccessResult
{
    Ok,
    FileNotFound,
    NoFileSelected,
    OffsetBeyondEnd,
}

/// <summary>
/// The elementary files of the eMRTD application and which one is selected. It knows nothing about APDUs, so the later
/// access-control layer (PACE/BAC, secure messaging) can wrap the applet without touching it.
/// </summary>
public sealed class CardFileSystem
{
    private readonly IReadOnlyDictionary<ushort, byte[]> files;

    public CardFileSystem(IReadOnlyDictionary<ushort, byte[]> files)
    {
        this.files = files;
    }

    public ushort? SelectedFileId { get; private set; }

    public bool Exists(ushort fileId) => files.ContainsKey(fileId);

    public FileAccessResult Select(ushort fileId)
    {
        if (!files.ContainsKey(fileId)) return FileAccessResult.FileNotFound;
        SelectedFileId = fileId;
        return FileAccessResult.Ok;
    }

    public void ClearSelection() => SelectedFileId = null;

    /// <summary>Up to maxLength bytes of the selected file from offset; fewer at the end of the file.</summary>
    public FileAccessResult Read(int offset, int maxLength, out byte[] data)
    {
        data = [];
        if (SelectedFileId is not ushort selected) return FileAccessResult.NoFileSelected;
        byte[] content = files[selected];
        if (offset >= content.Length) return FileAccessResult.OffsetBeyondEnd;
        int length = Math.Min(maxLength, content.Length - offset);
        data = content.AsSpan(offset, length).ToArray();
        return FileAccessResult.Ok;
    }
}
