namespace Kiosk.Host.Places;

/// <summary><c>GET /api/places</c> (the 34 provinces) and <c>GET /api/places/{provinceCode}/wards</c>.</summary>
public static class PlaceEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/places", (AdminUnits units) =>
            Results.Json(units.Provinces.Select(p => new { code = p.Code, name = p.Name, wardCount = p.Wards.Count })));
        app.MapGet("/api/places/{provinceCode:int}/wards", (int provinceCode, AdminUnits units) =>
            units.FindProvince(provinceCode) is { } p
                ? Results.Json(p.Wards.Select(w => new { code = w.Code, name = w.Name }))
                : Results.Json(new { error = "unknown-province" }, statusCode: 404));
    }
}
