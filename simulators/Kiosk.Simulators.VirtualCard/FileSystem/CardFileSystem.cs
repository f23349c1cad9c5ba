namespace Kiosk.Simulators.VirtualCard.FileSystem;

/// <summary>Why a file operation failed; the applet maps each to its status word.</summary>
public enum FileAccessResult
{
    Ok,
    FileNotFound,
    NoFileSelected,
    OffsetBeyondEnd,
    /// <summary>The file is inside the application and access control (PACE or BAC) has not been passed.</summary>
    SecurityStatusNotSatisfied,
}

/// <summary>
/// The elementary files of the eMRTD application, the few files under the master file (EF.CardAccess, readable before
/// any authentication), and which one is selected. It knows nothing about APDUs: the access-control layer (PACE/BAC,
/// secure messaging) wraps the applet and only opens or closes the application files here.
/// </summary>
public sealed class CardFileSystem
{
    private readonly IReadOnlyDictionary<ushort, byte[]> files;
    private readonly IReadOnlyDictionary<ushort, byte[]> masterFiles;

    public CardFileSystem(IReadOnlyDictionary<ushort, byte[]> files)
        : this(files, new Dictionary<ushort, byte[]>())
    {
    }

    public CardFileSystem(IReadOnlyDictionary<ushort, byte[]> applicationFiles, IReadOnlyDictionary<ushort, byte[]> masterFiles)
    {
        files = applicationFiles;
        this.masterFiles = masterFiles;
    }

    public ushort? SelectedFileId { get; private set; }

    /// <summary>While true, the application files can be selected but not read (6982), as on a card that needs PACE/BAC.</summary>
    public bool ApplicationFilesLocked { get; set; }

    public bool Exists(ushort fileId) => files.ContainsKey(fileId) || masterFiles.ContainsKey(fileId);

    public FileAccessResult Select(ushort fileId)
    {
        if (!files.ContainsKey(fileId)) return FileAccessResult.FileNotFound;
        SelectedFileId = fileId;
        return FileAccessResult.Ok;
    }

    /// <summary>
    /// Master-file EFs are found from anywhere (the Vietnamese card answers SELECT EF.CardAccess without SELECT MF);
    /// application EFs only once the application is selected.
    /// </summary>
    public FileAccessResult Select(ushort fileId, bool applicationSelected)
    {
        if (masterFiles.ContainsKey(fileId))
        {
            SelectedFileId = fileId;
            return FileAccessResult.Ok;
        }
        return applicationSelected ? Select(fileId) : FileAccessResult.FileNotFound;
    }

    public void ClearSelection() => SelectedFileId = null;

    /// <summary>Up to maxLength bytes of the selected file from offset; fewer at the end of the file.</summary>
    public FileAccessResult Read(int offset, int maxLength, out byte[] data)
    {
        data = [];
        if (SelectedFileId is not ushort selected) return FileAccessResult.NoFileSelected;
        if (masterFiles.TryGetValue(selected, out byte[]? publicContent)) return ReadFrom(publicContent, offset, maxLength, out data);
        if (ApplicationFilesLocked) return FileAccessResult.SecurityStatusNotSatisfied;
        return ReadFrom(files[selected], offset, maxLength, out data);
    }

    private static FileAccessResult ReadFrom(byte[] content, int offset, int maxLength, out byte[] data)
    {
        data = [];
        if (offset >= content.Length) return FileAccessResult.OffsetBeyondEnd;
        int length = Math.Min(maxLength, content.Length - offset);
        data = content.AsSpan(offset, length).ToArray();
        return FileAccessResult.Ok;
    }
}
