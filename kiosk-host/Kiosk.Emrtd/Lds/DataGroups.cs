namespace Kiosk.Emrtd.Lds;

/// <summary>Data-group numbers, their outer LDS tags, file identifiers and short EF identifiers (emrtd.md §2.1).</summary>
public static class DataGroups
{
    public const int EfComTag = 0x60;
    public const int EfSodTag = 0x77;
    public const ushort EfComFileId = 0x011E;
    public const ushort EfSodFileId = 0x011D;

    private static readonly int[] Tags = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70];

    /// <summary>Outer tag of DG1..DG16, e.g. 1 → 0x61, 2 → 0x75, 13 → 0x6D.</summary>
    public static int Tag(int dataGroup) => dataGroup is >= 1 and <= 16
        ? Tags[dataGroup - 1]
        : throw new MalformedDataException($"[DataGroups] no data group {dataGroup}");

    /// <summary>The data-group number of an outer tag (as listed in EF.COM), or null.</summary>
    public static int? FromTag(int tag)
    {
        int index = Array.IndexOf(Tags, tag);
        return index < 0 ? null : index + 1;
    }

    /// <summary>DG n has FID 01 0n and SFI n.</summary>
    public static ushort FileId(int dataGroup) => (ushort)(0x0100 + dataGroup);
}
