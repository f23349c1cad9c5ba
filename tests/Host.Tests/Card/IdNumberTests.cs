using Kiosk.Host.Card;

namespace Kiosk.Host.Tests.Card;

public class IdNumberTests
{
    [Fact]
    public void A_consistent_number_has_no_problems()
    {
        Assert.Empty(IdNumberRules.Check("001099012345", new DateOnly(1999, 1, 1), PersonSex.Male));
        Assert.Empty(IdNumberRules.Check("079305001234", new DateOnly(2005, 3, 4), PersonSex.Female));
        Assert.Empty(IdNumberRules.Check("096199000001", null, null));
    }

    [Theory]
    [InlineData("00109901234", IdNumberProblem.NotTwelveDigits)]
    [InlineData("00109901234A", IdNumberProblem.NotTwelveDigits)]
    [InlineData("003099012345", IdNumberProblem.UnknownProvince)]   // 003 is not a province code
    [InlineData("097099012345", IdNumberProblem.UnknownProvince)]
    [InlineData("001299012345", IdNumberProblem.CenturyDoesNotMatchBirthYear)] // 2 = 2000s, born 1999
    [InlineData("001098012345", IdNumberProblem.YearDoesNotMatchBirthYear)]
    [InlineData("001199012345", IdNumberProblem.SexDoesNotMatch)]    // 1 = female, card says male
    public void Each_problem_is_found(string id, IdNumberProblem problem)
    {
        Assert.Contains(problem, IdNumberRules.Check(id, new DateOnly(1999, 1, 1), PersonSex.Male));
    }

    [Fact]
    public void Has_the_63_province_codes() => Assert.Equal(63, IdNumberRules.Provinces.Count);

    [Fact]
    public void Mask_keeps_three_digits_each_side() => Assert.Equal("001******345", IdNumberRules.Mask("001099012345"));

    [Fact]
    public void Identity_from_the_chip_carries_the_checks()
    {
        var identity = CardIdentity.From(Kiosk.Emrtd.Lds.Td1Mrz.Parse(Support.TestCard.Mrz), Kiosk.Emrtd.Lds.Dg13.Parse(Support.TestCard.SampleDg13()), new DateOnly(2026, 11, 26));
        Assert.Equal("001099012345", identity.IdNumber);
        Assert.Equal("Nguyễn Văn An", identity.FullName);
        Assert.Equal("099012345", identity.DocumentNumber);
        Assert.Empty(identity.IdNumberProblems);
    }
}
