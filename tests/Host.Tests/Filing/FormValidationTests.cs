using Kiosk.Host.Filing;
using Kiosk.Host.Places;

namespace Kiosk.Host.Tests.Filing;

public class FormValidationTests
{
    private static readonly AdminUnits Places = new([
        new Province(1, "Thành phố Hà Nội", [new Ward(166, "Phường Nghĩa Đô"), new Ward(167, "Phường Cầu Giấy")]),
        new Province(79, "Thành phố Hồ Chí Minh", [new Ward(26734, "Phường Sài Gòn")]),
    ]);
    private static readonly DateOnly Today = new(2026, 11, 26);

    private static ResidenceNotificationForm Valid() => new()
    {
        AddressLine = "Số 12 ngõ 34 Hoàng Quốc Việt",
        ProvinceCode = 1,
        WardCode = 166,
        FromDate = "2026-11-26",
        ToDate = "2026-11-30",
        Reason = "Thăm người thân",
    };

    [Fact]
    public void A_valid_form_resolves_the_place_names()
    {
        var (value, errors) = ResidenceNotification.Validate(Valid(), Places, Today);
        Assert.Empty(errors);
        Assert.Equal("Phường Nghĩa Đô", value!.Ward.Name);
        Assert.Equal("Thành phố Hà Nội", value.Province.Name);
        Assert.Equal(new DateOnly(2026, 11, 30), value.ToDate);
    }

    [Fact]
    public void Empty_form_gives_a_Vietnamese_message_per_field()
    {
        var (value, errors) = ResidenceNotification.Validate(new ResidenceNotificationForm(), Places, Today);
        Assert.Null(value);
        Assert.Equal(["addressLine", "fromDate", "provinceCode", "reason", "toDate"], errors.Keys.Order());
        Assert.Equal("Vui lòng nhập lý do lưu trú.", errors["reason"].Vi);
        Assert.Equal("Vui lòng chọn tỉnh/thành phố.", errors["provinceCode"].Vi);
    }

    [Fact]
    public void To_date_before_from_date()
    {
        var (_, errors) = ResidenceNotification.Validate(Valid() with { ToDate = "2026-11-25" }, Places, Today);
        Assert.Equal("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.", Assert.Single(errors).Value.Vi);
    }

    [Fact]
    public void Same_day_stay_is_allowed() =>
        Assert.Empty(ResidenceNotification.Validate(Valid() with { ToDate = "2026-11-26" }, Places, Today).Errors);

    [Theory]
    [InlineData("2026-11-24")] // before yesterday
    [InlineData("2027-01-30")] // too far ahead
    [InlineData("26/11/2026")] // wrong format
    [InlineData("2026-02-30")] // not a date
    public void Bad_from_date(string from)
    {
        var (_, errors) = ResidenceNotification.Validate(Valid() with { FromDate = from, ToDate = "2027-02-01" }, Places, Today);
        Assert.True(errors.ContainsKey("fromDate"));
    }

    [Fact]
    public void Ward_must_belong_to_the_province()
    {
        var (_, errors) = ResidenceNotification.Validate(Valid() with { WardCode = 26734 }, Places, Today);
        Assert.Equal("Phường/xã không thuộc tỉnh/thành phố đã chọn.", errors["wardCode"].Vi);
    }

    [Fact]
    public void Too_long_text_and_blank_text()
    {
        var (_, errors) = ResidenceNotification.Validate(Valid() with { AddressLine = "   ", Reason = new string('x', 501) }, Places, Today);
        Assert.Equal(["addressLine", "reason"], errors.Keys.Order());
    }

    [Fact]
    public void Deadline_rule()
    {
        Assert.Equal(new DateTime(2026, 11, 26, 23, 0, 0), NotificationDeadline.For(new DateOnly(2026, 11, 26)));
        Assert.Equal(new DateTime(2026, 11, 27, 8, 0, 0), NotificationDeadline.For(new DateOnly(2026, 11, 26), new TimeOnly(23, 30)));
    }

    [Fact]
    public void Shipped_places_file_has_the_pilot_wards()
    {
        var places = AdminUnits.LoadDefault();
        var hanoi = places.FindProvince(1)!;
        Assert.Contains(hanoi.Wards, w => w.Name == "Phường Nghĩa Đô");
        Assert.Contains(hanoi.Wards, w => w.Name == "Phường Cầu Giấy");
    }
}
