using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.Lds;

namespace Emrtd.Tests.Lds;

/// <summary>TD1 MRZ cases (moved here from the host when it dropped its own parser): fields, dates, every check digit.</summary>
public class Td1MrzTests
{
    private const string Sample =
        "IDVNM0990123459001099012345<<0\n9901018M3901016VNM<<<<<<<<<<<0\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

    [Fact]
    public void Parses_the_synthetic_Vietnamese_TD1_given_as_three_lines()
    {
        Td1Mrz mrz = Td1Mrz.Parse(Sample);
        Assert.Equal("ID", mrz.DocumentCode);
        Assert.Equal("VNM", mrz.IssuingState);
        Assert.Equal("099012345", mrz.DocumentNumber);
        Assert.Equal("001099012345", mrz.VietnamIdNumber);
        Assert.Equal("390101", mrz.DateOfExpiry);
        Assert.Equal("VNM", mrz.Nationality);
        Assert.Equal(Sample.Replace("\n", ""), mrz.Text);
        Assert.DoesNotContain("NGUYEN", mrz.ToString());
        Assert.Equal(new DateOnly(1999, 1, 1), Td1Mrz.ToDate(mrz.DateOfBirth, true, new DateOnly(2026, 11, 26)));
        Assert.Equal(new DateOnly(2039, 1, 1), Td1Mrz.ToDate(mrz.DateOfExpiry, false, new DateOnly(2026, 11, 26)));
    }

    [Theory]
    [InlineData("250101", true, 1925)]  // a birth date never lies in the future
    [InlineData("010101", true, 2001)]
    [InlineData("450101", false, 2045)] // expiry dates are 20YY
    public void Two_digit_years_pivot(string yymmdd, bool birth, int year) =>
        Assert.Equal(year, Td1Mrz.ToDate(yymmdd, birth, new DateOnly(2024, 6, 1))!.Value.Year);

    [Theory]
    [InlineData("991301")]
    [InlineData("990230")]
    [InlineData("99010")]
    [InlineData("99O101")]
    public void Impossible_dates_are_null(string yymmdd) => Assert.Null(Td1Mrz.ToDate(yymmdd, true, new DateOnly(2026, 1, 1)));

    [Fact]
    public void Parses_the_ICAO_TD1_composite_example()
    {
        Td1Mrz mrz = Td1Mrz.Parse("I<UTOD231458907<<<<<<<<<<<<<<<" + "7408122F1204159UTO<<<<<<<<<<<6" + "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
        Assert.Equal("D23145890", mrz.DocumentNumber);
        Assert.Equal("UTO", mrz.IssuingState);
        Assert.Equal('F', mrz.Sex);
        Assert.Equal("ANNA MARIA", mrz.GivenNames);
        Assert.Null(mrz.VietnamIdNumber);
    }

    [Fact]
    public void Long_document_number_with_a_computed_composite()
    {
        const string l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
        const string l2 = "3407127M9507122UTO<<<<<<<<<<<";
        char composite = MrzInformation.CheckDigit(l1[5..30] + l2[0..7] + l2[8..15] + l2[18..29]);
        Assert.Equal("D23145890734", Td1Mrz.Parse(l1 + l2 + composite + "SMITH<<JOHN<<<<<<<<<<<<<<<<<<<").DocumentNumber);
    }

    [Theory]
    [InlineData(14, '8', "document number")]
    [InlineData(29, '1', "ID number")]      // the Vietnamese optional-data check digit
    [InlineData(36, '9', "date of birth")]
    [InlineData(44, '5', "date of expiry")]
    [InlineData(59, '7', "composite")]
    public void Every_check_digit_is_verified(int index, char wrong, string field)
    {
        char[] chars = Sample.Replace("\n", "").ToCharArray();
        chars[index] = wrong;
        var e = Assert.Throws<MalformedDataException>(() => Td1Mrz.Parse(new string(chars)));
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [InlineData("SHORT")]
    [InlineData("IDVNM0990123459001099012345<<0" + "9901018M3901016VNM<<<<<<<<<<<0" + "nguyen<<van<a<<<<<<<<<<<<<<<<<")]
    [InlineData("IDVNM0990123459001099012345<<0" + "9901018X3901016VNM<<<<<<<<<<<0" + "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<")]
    public void Malformed_MRZ_gives_a_typed_error_without_the_data(string text)
    {
        var e = Assert.Throws<MalformedDataException>(() => Td1Mrz.Parse(text));
        Assert.DoesNotContain("NGUYEN", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
