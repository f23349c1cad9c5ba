using System.Text;
using Kiosk.Emrtd.Iso7816;

namespace Kiosk.Emrtd.Lds;

/// <summary>EF.COM: 60 { 5F01 LDS version, 5F36 Unicode version, 5C tag list } (Part 10 §4.6.1).</summary>
public sealed record EfCom(string LdsVersion, string UnicodeVersion, IReadOnlyList<int> DataGroups)
{
    public static EfCom Parse(ReadOnlySpan<byte> file)
    {
        IReadOnlyList<Tlv> objects = BerTlv.ParseAll(Asn.Unwrap(file, Lds.DataGroups.EfComTag, "EF.COM"));
        byte[] lds = BerTlv.Find(objects, 0x5F01)?.Value ?? throw new MalformedDataException("[EF.COM] no LDS version (5F01)");
        byte[] unicode = BerTlv.Find(objects, 0x5F36)?.Value ?? [];
        byte[] tags = BerTlv.Find(objects, 0x5C)?.Value ?? throw new MalformedDataException("[EF.COM] no tag list (5C)");
        var groups = new List<int>();
        foreach (byte tag in tags)
        {
            if (Lds.DataGroups.FromTag(tag) is int number && !groups.Contains(number)) groups.Add(number);
        }
        return new EfCom(Printable(lds), Printable(unicode), groups);
    }

    private static string Printable(byte[] bytes)
    {
        foreach (byte b in bytes)
            if (b is < 0x20 or > 0x7E) throw new MalformedDataException("[EF.COM] version is not printable ASCII");
        return Encoding.ASCII.GetString(bytes);
    }
}
