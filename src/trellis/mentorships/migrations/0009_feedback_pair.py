import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_pairs(apps, schema_editor):
    MeetingFeedback = apps.get_model("mentorships", "MeetingFeedback")
    Meeting = apps.get_model("mentorships", "Meeting")
    MeetingFeedback.objects.update(
        mentorship_id=Subquery(
            Meeting.objects.filter(pk=OuterRef("meeting_id")).values("mentorship_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mentorships", "0008_feedback_report_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingfeedback",
            name="mentorship",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="feedback",
                to="mentorships.mentorship",
            ),
        ),
        migrations.RunPython(copy_pairs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meetingfeedback",
            name="mentorship",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="feedback",
                to="mentorships.mentorship",
            ),
        ),
        migrations.AddIndex(
            model_name="meetingfeedback",
            index=models.Index(fields=["mentorship", "rating"], name="feedback_pair_rating_idx"),
        ),
    ]
