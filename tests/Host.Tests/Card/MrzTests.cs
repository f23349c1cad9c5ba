using System.Text.Json;
using Kiosk.Host.Card;

namespace Kiosk.Host.Tests.Card;

public class MrzTests
{
    private const string Sample =
        "IDVNM0990123459001099012345<<0\n9901018M3901016VNM<<<<<<<<<<<0\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

    public static IEnumerable<object[]> IcaoVectors()
    {
        var path = Path.Combine(FindShared(), "vectors", "icao9303.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var v in doc.RootElement.GetProperty("mrz_check_digits").EnumerateArray())
            yield return [v.GetProperty("input").GetString()!, int.Parse(v.GetProperty("check").GetString()!)];
    }

    private static string FindShared()
    {
        // /work/shared during development; CI lays shared/ beside the clone.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "vectors", "icao9303.json"))) return candidate;
        }
        return "/work/shared";
    }

    [Theory]
    [MemberData(nameof(IcaoVectors))]
    public void Check_digit_matches_the_ICAO_vectors(string input, int expected) => Assert.Equal(expected, Mrz.CheckDigit(input));

    [Fact]
    public void Parses_the_synthetic_Vietnamese_TD1()
    {
        var mrz = Mrz.ParseTd1(Sample);
        Assert.Equal("ID", mrz.DocumentCode);
        Assert.Equal("VNM", mrz.IssuingState);
        Assert.Equal("099012345", mrz.DocumentNumber);
        Assert.Equal("001099012345", mrz.VietnamIdNumber);
        Assert.Equal("990101", mrz.DateOfBirth);
        Assert.Equal('M', mrz.Sex);
        Assert.Equal("390101", mrz.DateOfExpiry);
        Assert.Equal("VNM", mrz.Nationality);
        Assert.Equal("NGUYEN", mrz.Surname);
        Assert.Equal("VAN A", mrz.GivenNames);
        Assert.Equal(new DateOnly(1999, 1, 1), Mrz.ToDate(mrz.DateOfBirth, true, new DateOnly(2026, 11, 26)));
        Assert.Equal(new DateOnly(2039, 1, 1), Mrz.ToDate(mrz.DateOfExpiry, false, new DateOnly(2026, 11, 26)));
    }

    [Fact]
    public void Parses_the_ICAO_TD1_composite_example()
    {
        var mrz = Mrz.ParseTd1("I<UTOD231458907<<<<<<<<<<<<<<<" + "7408122F1204159UTO<<<<<<<<<<<6" + "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
        Assert.Equal("D23145890", mrz.DocumentNumber);
        Assert.Equal("UTO", mrz.IssuingState);
        Assert.Equal('F', mrz.Sex);
        Assert.Equal("ANNA MARIA", mrz.GivenNames);
    }

    [Fact]
    public void Parses_a_long_document_number()
    {
        // Doc 9303 Part 11 D.2 example 2: D23145890734, check digit 9, overflow in the optional data.
        var l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
        var l2prefix = "3407127M9507122UTO<<<<<<<<<<<";
        var composite = Mrz.CheckDigit(l1[5..30] + l2prefix[0..7] + l2prefix[8..15] + l2prefix[18..29]);
        var mrz = Mrz.ParseTd1(l1 + l2prefix + composite + "SMITH<<JOHN<<<<<<<<<<<<<<<<<<<");
        Assert.Equal("D23145890734", mrz.DocumentNumber);
    }

    [Theory]
    [InlineData(14, '8', "document number")]   // document number check digit
    [InlineData(29, '1', "ID number")]         // Vietnamese optional-data check digit
    [InlineData(36, '9', "date of birth")]
    [InlineData(44, '5', "date of expiry")]
    [InlineData(59, '7', "composite")]
    public void Every_check_digit_is_verified(int index, char wrong, string field)
    {
        var chars = Sample.Replace("\n", "").ToCharArray();
        chars[index] = wrong;
        var e = Assert.Throws<CardDataException>(() => Mrz.ParseTd1(new string(chars)));
        Assert.Equal(CardDataError.MrzCheckDigit, e.Error);
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData("SHORT")]
    [InlineData("IDVNM0990123459001099012345<<0" + "9901018M3901016VNM<<<<<<<<<<<0" + "nguyen<<van<a<<<<<<<<<<<<<<<<<")]
    public void Malformed_MRZ_gives_a_typed_error(string text)
    {
        var e = Assert.Throws<CardDataException>(() => Mrz.ParseTd1(text));
        Assert.Equal(CardDataError.BadMrz, e.Error);
    }
}
