"""Vocabulary data for the analysis package: aliases, skills, tools, certifications.

Everything here is plain data so it is easy to review and extend:

* ``ALIASES`` maps a variant spelling to its canonical display form. Both sides are
  normalized with the same tokenizer/stemmer, so case, punctuation and plurals do not
  matter. Add a line ``"variant": "Canonical"`` to extend it.
* ``VOCABULARY`` maps a canonical term to a category used by the match score:
  ``tool`` (named products/platforms), ``skill`` (named languages, frameworks,
  methods), ``concept`` (generic professional know-how, reported as ``skill`` by the
  score but never flagged by the grounding check) and ``soft`` (soft skills, same).
* ``AMBIGUOUS_WORDS`` are vocabulary terms that are also ordinary English words
  ("Go", "R", "C", "Excel", "Spring"...). They only count when written capitalized,
  as a proper name; lowercase "go"/"excel"/"spring" in prose never matches.
* ``CERTIFICATIONS`` are known certification names (with their acronym aliases in
  ``ALIASES``).
"""

from __future__ import annotations

ALIASES: dict[str, str] = {
    # languages and runtimes
    "js": "JavaScript",
    "ecmascript": "JavaScript",
    "ts": "TypeScript",
    "golang": "Go",
    "py": "Python",
    "python3": "Python",
    "c sharp": "C#",
    "csharp": "C#",
    "cpp": "C++",
    "dotnet": ".NET",
    "dot net": ".NET",
    "asp.net": "ASP.NET",
    "node": "Node.js",
    "nodejs": "Node.js",
    "node js": "Node.js",
    "react.js": "React",
    "reactjs": "React",
    "react js": "React",
    "vue.js": "Vue",
    "vuejs": "Vue",
    "angular.js": "Angular",
    "angularjs": "Angular",
    "next.js": "Next.js",
    "nextjs": "Next.js",
    "objective c": "Objective-C",
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "psql": "PostgreSQL",
    "mongo": "MongoDB",
    "ms sql": "SQL Server",
    "mssql": "SQL Server",
    "microsoft sql server": "SQL Server",
    "k8s": "Kubernetes",
    "kube": "Kubernetes",
    "gcp": "Google Cloud",
    "google cloud platform": "Google Cloud",
    "aws": "AWS",
    "amazon web services": "AWS",
    "azure": "Azure",
    "microsoft azure": "Azure",
    "ci cd": "CI/CD",
    "cicd": "CI/CD",
    "continuous integration": "CI/CD",
    "continuous delivery": "CI/CD",
    "continuous deployment": "CI/CD",
    "continuous integration continuous delivery": "CI/CD",
    "continuous integration continuous deployment": "CI/CD",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "nlp": "natural language processing",
    "llm": "large language models",
    "llms": "large language models",
    "sklearn": "scikit-learn",
    "scikit learn": "scikit-learn",
    "gh actions": "GitHub Actions",
    "restful": "REST",
    "rest api": "REST",
    "restful api": "REST",
    "rest apis": "REST",
    "graph ql": "GraphQL",
    "sfdc": "Salesforce",
    "ms excel": "Excel",
    "microsoft excel": "Excel",
    "ms word": "Word",
    "microsoft word": "Word",
    "ms office": "Microsoft Office",
    "office 365": "Microsoft 365",
    "o365": "Microsoft 365",
    "ms project": "Microsoft Project",
    "power bi": "Power BI",
    "powerbi": "Power BI",
    "ga4": "Google Analytics",
    "seo": "search engine optimization",
    "sem": "search engine marketing",
    "ppc": "pay-per-click",
    "crm": "customer relationship management",
    "erp": "enterprise resource planning",
    "ux": "user experience",
    "ui": "user interface",
    "qa": "quality assurance",
    "tdd": "test-driven development",
    "oop": "object-oriented programming",
    "etl": "ETL",
    "bi": "business intelligence",
    "hipaa": "HIPAA",
    "gaap": "GAAP",
    "ehr": "electronic health records",
    "emr": "electronic health records",
    "epic systems": "Epic",
    # roles
    "swe": "software engineer",
    "sde": "software engineer",
    "software development engineer": "software engineer",
    "pm": "product manager",
    "tpm": "technical program manager",
    "em": "engineering manager",
    "sre": "site reliability engineering",
    "site reliability engineer": "site reliability engineering",
    "devops engineer": "DevOps",
    "rn": "registered nurse",
    "sr": "senior",
    "jr": "junior",
    "mgr": "manager",
    "eng": "engineer",
    "vp": "vice president",
    # certifications (acronym <-> full name)
    "pmp": "Project Management Professional",
    "cpa": "Certified Public Accountant",
    "cfa": "Chartered Financial Analyst",
    "csm": "Certified ScrumMaster",
    "certified scrum master": "Certified ScrumMaster",
    "cissp": "CISSP",
    "ccna": "CCNA",
    "cka": "Certified Kubernetes Administrator",
    "ckad": "Certified Kubernetes Application Developer",
    "phr": "Professional in Human Resources",
    "shrm cp": "SHRM-CP",
    "bls": "Basic Life Support",
    "acls": "Advanced Cardiovascular Life Support",
    "pals": "Pediatric Advanced Life Support",
    "cna": "Certified Nursing Assistant",
    "cma": "Certified Management Accountant",
    "cpc": "Certified Professional Coder",
    "capm": "CAPM",
    "itil": "ITIL",
    # titles and licenses (the match score's job-title and certification components)
    "math": "mathematics",
    "lpn": "Licensed Practical Nurse",
}

# Named tools and platforms.
_TOOLS = """
AWS; Azure; Google Cloud; Docker; Kubernetes; Terraform; Ansible; Jenkins; GitHub Actions;
GitLab; GitHub; Git; Bitbucket; CircleCI; Helm; Prometheus; Grafana; Datadog; Splunk;
New Relic; Elasticsearch; Kibana; Logstash; Kafka; RabbitMQ; Redis; Memcached; PostgreSQL;
MySQL; SQLite; MongoDB; Cassandra; DynamoDB; Snowflake; BigQuery; Redshift; Databricks;
Airflow; dbt; Spark; Hadoop; Hive; Tableau; Power BI; Looker; Excel; Word; PowerPoint;
Microsoft Office; Microsoft 365; Microsoft Project; Outlook; SharePoint; Google Analytics;
Google Ads; Salesforce; HubSpot; Marketo; Mailchimp; Zendesk; ServiceNow; Jira;
Confluence; Asana; Trello; Slack; Figma; Sketch; Adobe Photoshop; Adobe Illustrator;
Adobe InDesign; Adobe XD; Adobe Premiere Pro; After Effects; Canva; AutoCAD; SolidWorks;
Revit; MATLAB; Simulink; SAP; Oracle; NetSuite; QuickBooks; Xero; Workday; ADP; BambooHR;
Greenhouse; Lever; Epic; Cerner; Linux; Unix; Windows Server; Nginx; Apache; Vercel;
Heroku; Netlify; Firebase; Supabase; Postman; Selenium; Cypress; Playwright; Jest;
pytest; JUnit; Webpack; Vite; npm; Yarn; Celery; Stripe; Twilio; Shopify; WordPress;
Sentry; PagerDuty; Okta; Auth0; Visual Studio; VS Code; IntelliJ; Xcode; Android Studio;
Unity; Unreal Engine; Blender; Maya; SPSS; SAS; Stata; Minitab; LabVIEW; ArcGIS; Bloomberg
Terminal; Hyperion; Alteryx; Qualtrics; Procore; Primavera P6; Microsoft Dynamics; Zoom;
Lambda; S3; EC2; CloudFormation; Pulumi; Vault; Consul; Istio; OpenShift; VMware; Snyk;
SonarQube; Argo CD; Flux; Nagios; Zabbix; Wireshark; Metasploit; Burp Suite; Nessus;
CrowdStrike; Palo Alto; Cisco; Active Directory; Intune; Kronos; Toast; Square; Clover;
Meditech; Outreach; Gong; LinkedIn Sales Navigator; ZoomInfo; Google Workspace
"""

# Named languages, frameworks, libraries and methods.
_SKILLS = """
Python; Java; JavaScript; TypeScript; Go; Rust; C; C++; C#; .NET; ASP.NET; Ruby; Ruby on
Rails; PHP; Laravel; Scala; Kotlin; Swift; Objective-C; R; Julia; Perl; Bash; PowerShell;
SQL; NoSQL; HTML; CSS; Sass; Tailwind; Bootstrap; React; React Native; Redux; Vue; Angular;
Svelte; Next.js; Node.js; Express; Django; Flask; FastAPI; Spring; Spring Boot; Hibernate;
GraphQL; REST; gRPC; SOAP; JSON; XML; YAML; Pandas; NumPy; SciPy; scikit-learn;
TensorFlow; PyTorch; Keras; Hugging Face; LangChain; OpenCV; Spark SQL; PySpark; Flutter;
Dart; Elixir; Erlang; Haskell; Clojure; Lua; Solidity; Fortran; COBOL; VBA; Assembly;
Agile; Scrum; Kanban; Lean; Six Sigma; DevOps; CI/CD; ETL; GAAP; IFRS; HIPAA; SOX; OSHA;
ITIL; PRINCE2; Waterfall; SAFe; OAuth; SAML; TCP/IP; DNS; HTTP; WebSockets; Microservices;
Serverless; CUDA; Verilog; VHDL; PLC; SCADA; CAD; CAM; GD&T; FEA; CFD; Lean Manufacturing;
Kaizen; 5S; HACCP; ServSafe; A/B testing; SEO; Figma prototyping; Tableau Prep
"""

# Generic professional know-how: counted by the score, never flagged by grounding.
_CONCEPTS = """
machine learning; deep learning; artificial intelligence; natural language processing;
computer vision; large language models; data science; data analysis; data analytics;
data engineering; data modeling; data visualization; data pipelines; data warehousing;
statistics; statistical modeling; predictive modeling; forecasting; financial modeling;
budgeting; accounts payable; accounts receivable; reconciliation; auditing; tax preparation;
payroll; bookkeeping; financial reporting; variance analysis; distributed systems;
system design; software architecture; cloud computing; cloud infrastructure;
infrastructure as code; site reliability engineering; observability; monitoring;
incident response; security; cybersecurity; penetration testing; networking;
object-oriented programming; functional programming; test-driven development; unit testing;
integration testing; automated testing; quality assurance; code review; debugging;
performance tuning; scalability; API design; backend development; frontend development;
full stack development; mobile development; web development; embedded systems; user
experience; user interface; user research; usability testing; wireframing; prototyping;
interaction design; visual design; graphic design; product management; project management;
program management; product strategy; roadmapping; stakeholder management; vendor
management; change management; risk management; supply chain; logistics; inventory
management; procurement; operations management; process improvement; root cause analysis;
search engine optimization; search engine marketing; pay-per-click; content marketing;
email marketing; social media marketing; digital marketing; brand management; market
research; lead generation; customer relationship management; enterprise resource planning;
business intelligence; business development; account management; sales; B2B sales;
customer success; customer service; technical support; patient care; electronic health
records; medication administration; triage; wound care; infection control; case management;
curriculum development; lesson planning; classroom management; recruiting; talent
acquisition; onboarding; employee relations; compensation and benefits; contract
negotiation; legal research; contract drafting; litigation; compliance; regulatory
compliance; due diligence; technical writing; copywriting; editing; public speaking;
event planning; budget management; P&L management; team leadership; people management;
mentoring; coaching; hiring; training; strategic planning; operations; manufacturing;
quality control; preventive maintenance; troubleshooting; blueprint reading; food safety;
menu development; cash handling; point of sale; test automation; patient assessment;
patient education; care planning; telemetry; IV therapy; phlebotomy; ICU; ER; med-surg;
pediatrics; oncology; critical care; discharge planning; vital signs; charting; B2B; B2C;
SaaS; prospecting; cold calling; pipeline management; closing; quota; territory management;
solution selling; consultative selling; MEDDIC; upselling; cross-selling; reporting;
presentation; bilingual; Spanish
"""

_SOFT = """
communication; written communication; verbal communication; leadership; teamwork;
collaboration; problem solving; critical thinking; attention to detail; time management;
organization; adaptability; creativity; negotiation; presentation skills; interpersonal
skills; customer focus; ownership; initiative; cross-functional collaboration; Teamfähigkeit;
Kommunikationsfähigkeit; Belastbarkeit; trabajo en equipo; comunicación; liderazgo;
travail en équipe; rigueur; autonomie
"""

_CERTIFICATIONS = """
Project Management Professional; CAPM; Certified Public Accountant; Chartered Financial
Analyst; Certified ScrumMaster; Professional Scrum Master; CISSP; CISM; CISA; CompTIA
Security+; CompTIA Network+; CompTIA A+; CCNA; CCNP; Certified Kubernetes Administrator;
Certified Kubernetes Application Developer; AWS Certified Solutions Architect; AWS
Certified Developer; AWS Certified Cloud Practitioner; Google Professional Cloud
Architect; Azure Administrator Associate; Professional in Human Resources; SHRM-CP;
SHRM-SCP; Basic Life Support; Advanced Cardiovascular Life Support; Pediatric Advanced
Life Support; Certified Nursing Assistant; Certified Management Accountant; Certified
Professional Coder; Six Sigma Green Belt; Six Sigma Black Belt; Lean Six Sigma Green Belt;
ITIL Foundation; PRINCE2 Practitioner; Series 7; Series 63; CDL; OSHA 30; ServSafe
Manager; TEFL; Certified Financial Planner; Google Analytics Certification; HubSpot
Inbound Certification; Salesforce Certified Administrator; FRM; NCLEX; LEED AP; CPR; NIHSS;
TNCC; Registered Nurse; Licensed Practical Nurse
"""


def _split(block: str) -> list[str]:
    return [item.strip() for item in block.replace("\n", " ").split(";") if item.strip()]


VOCABULARY: dict[str, str] = {}
for _category, _block in (
    ("tool", _TOOLS),
    ("skill", _SKILLS),
    ("concept", _CONCEPTS),
    ("soft", _SOFT),
):
    for _term in _split(_block):
        VOCABULARY.setdefault(_term, _category)

CERTIFICATIONS: tuple[str, ...] = tuple(_split(_CERTIFICATIONS))

# Vocabulary terms that are also everyday English words: only a capitalized spelling
# ("Go", "R", "Excel") counts; "go", "r", "excel" in prose never match.
AMBIGUOUS_WORDS: frozenset[str] = frozenset(
    {
        "go",
        "node",
        "r",
        "c",
        "excel",
        "word",
        "spring",
        "swift",
        "rust",
        "express",
        "lean",
        "lambda",
        "vault",
        "flux",
        "square",
        "toast",
        "clover",
        "unity",
        "epic",
        "lever",
        "slack",
        "sketch",
        "hive",
        "zoom",
        "julia",
        "dart",
        "assembly",
        "outlook",
        "flask",
        "maya",
        "oracle",
        "outreach",
        "gong",
        "er",
    }
)
