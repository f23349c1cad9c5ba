using Kiosk.Simulators.VirtualCard.Lds;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Simulators.Tests;

public class MrzTests
{
    /// <summary>Check digits recomputed here, independently of <see cref="MrzTd1.CheckDigit"/>.</summary>
    internal static int IcaoCheckDigit(string field)
    {
        int[] weights = [7, 3, 1];
        int sum = 0;
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            int value = char.IsDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : 0;
            sum += value * weights[i % 3];
        }
        return sum % 10;
    }

    [Theory]
    [InlineData("L898902C<", '3')]
    [InlineData("690806", '1')]
    [InlineData("D23145890734", '9')]
    [InlineData("AB2134<<<", '5')]
    [InlineData("HA672242<658022549601086<<<<<<<<<<<<<<0", '8')]
    public void Check_digit_matches_the_icao_examples(string field, char expected)
    {
        Assert.Equal(expected, MrzTd1.CheckDigit(field));
    }

    [Fact]
    public void Reproduces_the_synthetic_cccd_example_of_the_reference()
    {
        var profile = new PersonProfile
        {
            Id = "example",
            FullName = "Nguyễn Văn A",
            IdNumber = "001099012345",
            DateOfBirth = "1999-01-01",
            Sex = "Nam",
            DateOfExpiry = "2039-01-01",
        };
        Assert.Equal(
            ["IDVNM0990123459001099012345<<0", "9901018M3901016VNM<<<<<<<<<<<0", "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"],
            MrzTd1.Lines(profile));
    }

    [Theory]
    [InlineData("Nguyễn Văn An", "NGUYEN<<VAN<AN")]
    [InlineData("Đỗ Thị Lan", "DO<<THI<LAN")]
    [InlineData("Trần Thị Mai", "TRAN<<THI<MAI")]
    public void Names_lose_their_diacritics(string fullName, string expectedStart)
    {
        string field = MrzTd1.NameField(fullName);
        Assert.Equal(30, field.Length);
        Assert.Equal(expectedStart.PadRight(30, '<'), field);
    }
}
