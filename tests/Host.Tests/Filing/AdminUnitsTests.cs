using Kiosk.Host.Places;

namespace Kiosk.Host.Tests.Filing;

public class AdminUnitsTests
{
    private static readonly AdminUnits Units = AdminUnits.LoadDefault();

    [Fact]
    public void The_shipped_list_has_34_provinces_and_3321_wards()
    {
        Assert.Equal(34, Units.Provinces.Count);
        Assert.Equal(3321, Units.Provinces.Sum(p => p.Wards.Count));
        var hanoi = Units.FindProvince(1)!;
        Assert.Equal("Thành phố Hà Nội", hanoi.Name);
        Assert.Contains(hanoi.Wards, w => w.Name == "Phường Nghĩa Đô");
        Assert.Contains(hanoi.Wards, w => w.Name == "Phường Cầu Giấy");
        Assert.True(Units.Conversions.Count > 10_000, $"{Units.Conversions.Count} conversion rows");
    }

    [Fact]
    public void Dich_Vong_Hau_was_split_and_the_resident_chooses_between_two_new_wards()
    {
        var s = Units.SuggestForOldAddress("Số 12 ngõ 34 Trần Thái Tông, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội");
        Assert.Equal(["Phường Cầu Giấy", "Phường Nghĩa Đô"], s.Select(x => x.WardName).Order());
        Assert.All(s, x => Assert.Equal(1, x.ProvinceCode));
        Assert.All(s, x => Assert.False(x.Whole));
    }

    [Fact]
    public void A_ward_merged_whole_gives_one_suggestion_even_without_type_words()
    {
        var s = Assert.Single(Units.SuggestForOldAddress("Phường Trúc Bạch, Ba Đình, Hà Nội"));
        Assert.Equal("Phường Ba Đình", s.WardName);
        Assert.True(s.Whole);
        Assert.Empty(Units.SuggestForOldAddress("Không có địa chỉ"));
        Assert.Empty(Units.SuggestForOldAddress(null));
    }

    [Fact]
    public void Csv_rows_with_quoted_notes_parse()
    {
        var rows = AdminUnits.ParseConversions(
            "header\nThành phố Hà Nội (01),Phường Tây Hồ,00103,Phường Thụy Khuê,00112,\"Nhập một phần diện tích, toàn bộ dân số\",Quận Tây Hồ (003),Thành phố Hà Nội (01),\n");
        var row = Assert.Single(rows);
        Assert.Equal(103, row.NewWardCode);
        Assert.Equal("Quận Tây Hồ", row.OldDistrict);
        Assert.False(row.Whole);
        Assert.Equal(AdminUnits.Key("Phường Hòa Khánh"), AdminUnits.Key("phường  hoà khánh"));
    }
}
