using Kiosk.Emrtd.Iso7816;

namespace Kiosk.Emrtd.Lds;

public enum FaceImageFormat { Jpeg, Jpeg2000, Unknown }

/// <summary>The face image of DG2: its format and the encoded image bytes exactly as stored.</summary>
public sealed record FaceImage(FaceImageFormat Format, byte[] Data)
{
    public override string ToString() => $"FaceImage {{ Format = {Format}, {Data.Length} bytes }}";
}

/// <summary>
/// DG2: 75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E or 7F2E biometric data } … } } (emrtd.md §2.1). The biometric
/// data block is an ISO 19794-5 "FAC\0" record (or 39794-5); the image inside is found by its signature rather than by
/// walking every record field, so vendor variations of the record header do not matter.
/// </summary>
public static class Dg2
{
    private static readonly byte[] JpegStart = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Jp2Start = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20];
    private static readonly byte[] J2kStart = [0xFF, 0x4F, 0xFF, 0x51];

    /// <summary>Every face image of the file, in order; at least one.</summary>
    public static IReadOnlyList<FaceImage> Parse(ReadOnlySpan<byte> file)
    {
        Tlv group = BerTlv.Find(BerTlv.ParseAll(Asn.Unwrap(file, DataGroups.Tag(2), "DG2")), 0x7F61)
            ?? throw new MalformedDataException("[DG2] no biometric information group template (7F61)");
        var images = new List<FaceImage>();
        foreach (Tlv template in BerTlv.ParseAll(group.Value))
        {
            if (template.Tag != 0x7F60) continue;
            Tlv? block = BerTlv.Find(BerTlv.ParseAll(template.Value), 0x5F2E) ?? BerTlv.Find(BerTlv.ParseAll(template.Value), 0x7F2E);
            if (block is null) throw new MalformedDataException("[DG2] biometric template without 5F2E/7F2E data");
            images.Add(FindImage(block.Value));
        }
        if (images.Count == 0) throw new MalformedDataException("[DG2] no biometric information template (7F60)");
        return images;
    }

    /// <summary>The image from the first JPEG or JPEG 2000 signature in the record to the end of the record.</summary>
    public static FaceImage FindImage(ReadOnlySpan<byte> record)
    {
        int best = -1;
        FaceImageFormat format = FaceImageFormat.Unknown;
        foreach ((byte[] signature, FaceImageFormat kind) in new[] { (JpegStart, FaceImageFormat.Jpeg), (Jp2Start, FaceImageFormat.Jpeg2000), (J2kStart, FaceImageFormat.Jpeg2000) })
        {
            int at = record.IndexOf(signature);
            if (at >= 0 && (best < 0 || at < best)) { best = at; format = kind; }
        }
        if (best < 0) throw new MalformedDataException("[DG2] no JPEG or JPEG 2000 image in the biometric data block");
        return new FaceImage(format, record[best..].ToArray());
    }

    /// <summary>JPEG (FF D8 FF), JP2 (00 00 00 0C 6A 50 20 20), J2K codestream (FF 4F FF 51) or unknown.</summary>
    public static FaceImageFormat Detect(ReadOnlySpan<byte> image) =>
        image.StartsWith(JpegStart) ? FaceImageFormat.Jpeg
        : image.StartsWith(Jp2Start) || image.StartsWith(J2kStart) ? FaceImageFormat.Jpeg2000
        : FaceImageFormat.Unknown;
}
