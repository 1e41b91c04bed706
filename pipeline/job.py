"""A feedback job as the pipeline sees it: the request plus its conversation context."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.models import Message, SearchScope


class FeedbackJob(BaseModel):
    job_id: str
    project_id: str
    user_id: str
    feedback_content: str
    conversation_id: str | None = None
    context: list[Message] = Field(default_factory=list)
    allow_knowledgebase_ids: list[str] = Field(default_factory=list)
    allow_public: bool = False
    agent_id: str | None = None
    app_id: str | None = None

    def scope(self) -> SearchScope:
        """Everything this feedback may change: the user's memories plus what it allows."""
        return SearchScope(
            project_id=self.project_id,
            user_id=self.user_id,
            knowledgebase_ids=self.allow_knowledgebase_ids,
            include_public=self.allow_public,
            agent_id=self.agent_id,
            app_id=self.app_id,
        )
