using System.Text;

namespace Kiosk.Host.Card;

/// <summary>EF.DG1: <c>61 { 5F1F MRZ }</c>.</summary>
public static class Dg1Parser
{
    public static Td1Mrz Parse(ReadOnlyMemory<byte> file)
    {
        var outer = BerTlv.ReadExpected(file, 0x61);
        var mrz = BerTlv.Find(BerTlv.ReadAll(outer.Value), 0x5F1F)
            ?? throw new CardDataException(CardDataError.BadMrz, "DG1: no MRZ (5F1F)");
        return Mrz.ParseTd1(Encoding.ASCII.GetString(mrz.Value.Span));
    }
}
