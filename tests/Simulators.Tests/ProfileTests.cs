using Kiosk.Simulators.VirtualCard.Profiles;

namespace Simulators.Tests;

public class ProfileTests
{
    [Fact]
    public void The_shipped_profiles_load_and_are_consistent()
    {
        PersonProfileStore store = VirtualCardTests.ShippedProfiles();
        Assert.Contains(store.All, p => p.Id == "nguyen-van-an" && p.IsMale && p.BirthDate.Year == 1985 && p.IdNumber.StartsWith("0010"));
        Assert.Contains(store.All, p => p.Id == "tran-thi-mai" && !p.IsMale && p.BirthDate.Year == 2001 && p.IdNumber[3] == '3');
        Assert.Contains(store.All, p => p.Id == "le-hoang-nam" && p.OldIdNumber == "");
        Assert.All(store.All, p => Assert.Empty(PersonProfileValidator.Validate(p)));
    }

    [Fact]
    public void An_id_number_that_disagrees_with_sex_or_birth_year_is_rejected()
    {
        PersonProfile an = VirtualCardTests.Profile("nguyen-van-an");
        Assert.Contains(PersonProfileValidator.Validate(an with { Sex = "Nữ" }), p => p.Contains("century/sex"));
        Assert.Contains(PersonProfileValidator.Validate(an with { DateOfBirth = "1986-03-12" }), p => p.Contains("year digits"));
        Assert.Contains(PersonProfileValidator.Validate(an with { IdNumber = "003085012345" }), p => p.Contains("province"));
        Assert.Contains(PersonProfileValidator.Validate(an with { OldIdNumber = "12" }), p => p.Contains("oldIdNumber"));
        Assert.Throws<InvalidProfileException>(() => new PersonProfileStore([an, an]));
    }

    [Fact]
    public void A_bad_profile_file_names_the_file_not_the_data()
    {
        var problem = Assert.Throws<InvalidProfileException>(() => PersonProfileStore.Parse("{\"idNumber\": [", "x.json"));
        Assert.StartsWith("x.json", problem.Message);
    }
}
