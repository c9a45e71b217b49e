using Broker.Core.Jobs;
using Broker.Core.Prediction;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class JobRuntimePredictionConfiguration : IEntityTypeConfiguration<JobRuntimePrediction>
{
    public void Configure(EntityTypeBuilder<JobRuntimePrediction> p)
    {
        p.ToTable("job_runtime_predictions");
        p.HasKey(x => x.JobId);
        p.HasOne<Job>().WithOne().HasForeignKey<JobRuntimePrediction>(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
        p.HasOne<RuntimeModelRecord>().WithMany().HasForeignKey(x => x.ModelId).OnDelete(DeleteBehavior.Restrict);
        p.Property(x => x.Basis).HasMaxLength(200);
        p.Property(x => x.Version).IsRowVersion();
    }
}
