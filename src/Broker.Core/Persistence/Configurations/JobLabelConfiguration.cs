using Broker.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class JobLabelConfiguration : IEntityTypeConfiguration<JobLabel>
{
    public void Configure(EntityTypeBuilder<JobLabel> label)
    {
        label.ToTable("job_labels");
        label.HasKey(l => new { l.JobId, l.Key });
        label.Property(l => l.Key).HasMaxLength(63);
        label.Property(l => l.Value).HasMaxLength(128);
        label.HasIndex(l => new { l.Key, l.Value });
    }
}
