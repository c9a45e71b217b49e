using Broker.Core.Costs.Budgets;
using Broker.Core.Costs.Idle;
using Broker.Core.Costs.Reports;
using Broker.Core.Costs;

namespace Broker.Api.Hosting;

public static class CostServices
{
    /// <summary>The ledger, on-prem rates, budgets and cost reports.</summary>
    public static IServiceCollection AddBrokerCosts(this IServiceCollection services)
    {
        services.AddScoped<OnPremRates>();
        services.AddScoped<SegmentPricing>();
        services.AddScoped<BudgetAccounts>();
        services.AddScoped<CostRecorder>();
        services.AddScoped<OnPremIdleCost>();
        services.AddScoped<JobCosts>();
        services.AddScoped<BudgetService>();
        services.AddScoped<LedgerRollup>();
        services.AddScoped<CostReport>();
        services.AddScoped<FleetUtilization>();
        services.AddScoped<CostSummary>();
        services.AddScoped<CostCorrections>();
        return services;
    }
}
