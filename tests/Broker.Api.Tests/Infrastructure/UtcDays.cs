namespace Broker.Api.Tests.Infrastructure;

public static class UtcDays
{
    // An hour that lies inside one UTC day: the ledger splits entries at UTC midnight, so "three hours ago"
    // gives two entries when the suite runs shortly after midnight.
    public static DateTimeOffset YesterdayAtTen(DateTimeOffset now) => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(-14);

    public static DateTimeOffset StartOfYesterday(DateTimeOffset now) => new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-1);
}
